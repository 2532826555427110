#!/usr/bin/env node
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '@wattstream/infra';
import { isWattstreamError, parseDuration } from '@wattstream/platform';
import { Command, InvalidArgumentError } from 'commander';
import { BENCHMARK_NAMES, BENCHMARKS } from './registry.js';
import { DEFAULT_RESULTS_DIR, runBenchmarks, SMOKE_RUN } from './run.js';

const duration = (v: string) => {
  const ms = parseDuration(v);
  if (ms === undefined) throw new InvalidArgumentError('a duration such as 30s, 5m or 1500ms');
  return ms;
};
const positive = (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('a positive number');
  return n;
};

const program = new Command('bench')
  .description(
    `Throughput and latency benchmarks against real infrastructure. Benchmarks: ${BENCHMARK_NAMES.join(', ')}.`,
  )
  .argument('<name>', `a benchmark name, or "all"`)
  .option('--duration <time>', 'measured time per benchmark (default 30s; soak 30m)', duration)
  .option('--warmup <time>', 'warm-up before measuring, excluded from figures', duration, 5000)
  .option('--rate <n>', 'offered load, where a benchmark takes one (e.g. samples/s for e2e)', positive)
  .option('--out <dir>', 'results folder (RESULTS.md is regenerated only for the default folder)')
  .option(
    '--smoke',
    `a tiny run (${SMOKE_RUN.durationMs} ms) that only proves the harness works; results go to a temporary folder`,
    false,
  )
  .action(
    async (name: string, opts: { duration?: number; warmup: number; rate?: number; out?: string; smoke: boolean }) => {
      const benches = name === 'all' ? BENCHMARKS : BENCHMARKS.filter((b) => b.name === name);
      if (benches.length === 0) {
        throw new InvalidArgumentError(`unknown benchmark "${name}"; one of: ${BENCHMARK_NAMES.join(', ')}, all`);
      }
      const root = repoRoot();
      // A smoke run's figures mean nothing: they must never replace the committed results.
      const outDir =
        opts.out ?? (opts.smoke ? mkdtempSync(join(tmpdir(), 'wattstream-bench-smoke-')) : DEFAULT_RESULTS_DIR(root));
      if (opts.smoke) process.stderr.write(`bench: smoke results go to ${outDir}\n`);
      await runBenchmarks(benches, {
        durationMs: opts.duration ?? (opts.smoke ? SMOKE_RUN.durationMs : undefined),
        warmupMs: opts.smoke ? Math.min(opts.warmup, SMOKE_RUN.warmupMs) : opts.warmup,
        rate: opts.rate,
        smoke: opts.smoke,
        outDir,
        resultsMarkdown: opts.out || opts.smoke ? undefined : join(root, 'benchmarks', 'RESULTS.md'),
        command: `pnpm bench ${process.argv.slice(2).join(' ')}`,
        log: (msg) => process.stderr.write(`bench: ${msg}\n`),
      });
    },
  );

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`bench: ${isWattstreamError(err) ? `error ${err.code}: ` : ''}${(err as Error).message}\n`);
  process.exitCode = 1;
});
