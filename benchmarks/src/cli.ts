#!/usr/bin/env node
import { join } from 'node:path';
import { repoRoot } from '@wattstream/infra';
import { isWattstreamError, parseDuration } from '@wattstream/platform';
import { Command, InvalidArgumentError } from 'commander';
import { BENCHMARK_NAMES, BENCHMARKS } from './registry.js';
import { DEFAULT_RESULTS_DIR, runBenchmarks } from './run.js';

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
  .option('--smoke', 'a tiny run that only proves the harness works', false)
  .action(
    async (name: string, opts: { duration?: number; warmup: number; rate?: number; out?: string; smoke: boolean }) => {
      const benches = name === 'all' ? BENCHMARKS : BENCHMARKS.filter((b) => b.name === name);
      if (benches.length === 0) {
        throw new InvalidArgumentError(`unknown benchmark "${name}"; one of: ${BENCHMARK_NAMES.join(', ')}, all`);
      }
      const root = repoRoot();
      const outDir = opts.out ?? DEFAULT_RESULTS_DIR(root);
      await runBenchmarks(benches, {
        durationMs: opts.duration,
        warmupMs: opts.smoke ? Math.min(opts.warmup, 1000) : opts.warmup,
        rate: opts.rate,
        smoke: opts.smoke,
        outDir,
        resultsMarkdown: opts.out ? undefined : join(root, 'benchmarks', 'RESULTS.md'),
        command: `pnpm bench ${process.argv.slice(2).join(' ')}`,
        log: (msg) => process.stderr.write(`bench: ${msg}\n`),
      });
    },
  );

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`bench: ${isWattstreamError(err) ? `error ${err.code}: ` : ''}${(err as Error).message}\n`);
  process.exitCode = 1;
});
