import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@wattstream/infra/testing';
import { afterAll, expect, inject, it } from 'vitest';
import { BENCHMARKS, type BenchResultFile, renderResultsMarkdown, runBenchmarks, SMOKE_RUN } from '../src/index.js';

/**
 * The smoke run in three files, so that vitest's two workers can run its longest parts beside the
 * rest of the suite instead of after it. Every benchmark is in exactly one group (checked).
 */
export const SMOKE_GROUPS = {
  brokers: ['kafka-raw', 'questdb-raw', 'mqtt', 'ingest', 'tracing', 'sink'],
  pipeline: ['stream', 'fanout', 'edge', 'e2e', 'soak'],
  services: ['history', 'outbox', 'notifications', 'gateway'],
} as const;

/**
 * A tiny run of each benchmark of `group` against the suite's real infrastructure, so the harness
 * cannot rot. It proves that each benchmark runs end to end and reports finite figures and its
 * targets — it measures nothing worth keeping (results go to a temporary folder, RESULTS.md is
 * untouched). Services and load generators run compiled (`pnpm build` first, as scripts/test.sh does).
 * Returns the scratch folder (inside the results folder) for the group's other tests.
 */
export function smokeSuite(group: keyof typeof SMOKE_GROUPS): string {
  const names: readonly string[] = SMOKE_GROUPS[group];
  const benches = BENCHMARKS.filter((b) => names.includes(b.name));
  const out = tempDir(`bench-smoke-${group}`);
  const scratch = join(out, 'scratch');
  mkdirSync(scratch, { recursive: true });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  for (const bench of benches) {
    it(`${bench.name} runs and writes a result with figures, targets and a plot`, async () => {
      const [result] = await runBenchmarks([bench], {
        ...SMOKE_RUN,
        rate: undefined,
        smoke: true,
        outDir: out,
        resultsMarkdown: undefined,
        command: `smoke ${bench.name}`,
        log: () => {},
        infra: { env: inject('infra'), dir: scratch },
      });
      const file = JSON.parse(readFileSync(join(out, `${bench.name}.json`), 'utf8')) as BenchResultFile;
      expect(file).toEqual(result);
      expect(file.machine.cores).toBeGreaterThan(0);
      expect(Object.keys(file.figures).length).toBeGreaterThan(0);
      for (const [k, v] of Object.entries(file.figures)) expect(Number.isFinite(v), k).toBe(true);
      for (const t of file.targets) expect(Number.isFinite(t.value), `target ${t.name}`).toBe(true);
      expect(file.plot).not.toBeNull();
      expect(readFileSync(join(out, file.plot as string), 'utf8')).toMatch(/^<svg[\s\S]*<polyline/);
    }, 150_000);
  }

  it(`renders RESULTS.md from the result files (${group})`, () => {
    const md = renderResultsMarkdown(
      out,
      benches.map((b) => b.name),
    );
    for (const b of benches) {
      expect(md).toContain(`## ${b.name}`);
      if (existsSync(join(out, `${b.name}.svg`))) expect(md).toContain(`(results/${b.name}.svg)`);
    }
    expect(md).toContain('- **Machine:**');
  });
  return scratch;
}
