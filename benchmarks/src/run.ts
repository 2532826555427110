import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Benchmark } from './benchmark.js';
import { BenchContext, type BenchInfra, type BenchOptions, SharedInfra } from './context.js';
import { machineInfo } from './machine.js';
import { BENCHMARK_NAMES } from './registry.js';
import { type BenchResultFile, evaluateTargets, renderResultsMarkdown, writeResult } from './result.js';

/** What `--smoke` means: a run that only proves the harness works (the test suite's run). */
export const SMOKE_RUN = { durationMs: 1500, warmupMs: 500 } as const;

export interface RunOptions extends Omit<BenchOptions, 'durationMs'> {
  durationMs: number | undefined;
  /** Folder for `<name>.json` / `<name>.svg`. */
  outDir: string;
  /** RESULTS.md to regenerate, or undefined to leave it alone (smoke runs). */
  resultsMarkdown: string | undefined;
  command: string;
  /** Use this infrastructure instead of starting one. */
  infra?: BenchInfra;
}

/**
 * Runs benchmarks one after the other on one shared infrastructure, writing each result. A
 * benchmark that fails is reported and the others still run (a long `all` is not lost to one
 * failure); the run then ends with an error naming the failed ones.
 */
export async function runBenchmarks(benches: Benchmark[], opts: RunOptions): Promise<BenchResultFile[]> {
  const shared = new SharedInfra(opts.infra);
  const results: BenchResultFile[] = [];
  const failed: { name: string; error: Error }[] = [];
  // Ctrl-C or a SIGTERM must not leave Kafka, QuestDB and services running (they are detached)
  let current: BenchContext | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    opts.log(`${signal}: stopping what the benchmarks started …`);
    void (async () => {
      await current?.cleanupBench();
      await shared.close();
      process.exit(130);
    })();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    for (const b of benches) {
      const durationMs = opts.durationMs ?? b.defaultDurationMs ?? 30_000;
      const benchCtx = new BenchContext({ ...opts, durationMs, resultsDir: opts.outDir }, shared);
      current = benchCtx;
      opts.log(`▶ ${b.name} (${durationMs / 1000} s after ${opts.warmupMs / 1000} s warm-up)`);
      const startedAt = new Date().toISOString();
      try {
        const out = await b.run(benchCtx);
        const result: BenchResultFile = {
          name: b.name,
          description: b.description,
          startedAt,
          durationS: durationMs / 1000,
          command: opts.command,
          machine: machineInfo(),
          figures: out.figures,
          ratios: out.ratios,
          targets: evaluateTargets(out),
          notes: out.notes ?? [],
          plot: out.charts.length > 0 ? `${b.name}.svg` : null,
        };
        writeResult(opts.outDir, result, out.charts);
        results.push(result);
        opts.log(`✔ ${b.name}: ${JSON.stringify(out.figures)}`);
      } catch (err) {
        failed.push({ name: b.name, error: err as Error });
        opts.log(`✘ ${b.name} failed: ${(err as Error).message}`);
      } finally {
        await benchCtx.cleanupBench();
      }
    }
  } finally {
    await shared.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (opts.resultsMarkdown) {
    mkdirSync(opts.outDir, { recursive: true });
    writeFileSync(opts.resultsMarkdown, renderResultsMarkdown(opts.outDir, BENCHMARK_NAMES));
  }
  if (failed.length === 1) throw failed[0]!.error;
  if (failed.length > 1) {
    throw new Error(
      `${failed.length} benchmarks failed: ${failed.map((f) => `${f.name} (${f.error.message})`).join('; ')}`,
    );
  }
  return results;
}

export const DEFAULT_RESULTS_DIR = (root: string) => join(root, 'benchmarks', 'results');
