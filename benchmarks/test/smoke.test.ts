import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@wattstream/infra/testing';
import { describe, expect, inject, it } from 'vitest';
import { BENCHMARKS, type BenchResultFile, renderResultsMarkdown, runBenchmarks } from '../src/index.js';

/**
 * A tiny run of every benchmark against the suite's real infrastructure, so the harness cannot
 * rot. It proves that each benchmark runs end to end and reports positive figures — it measures
 * nothing worth keeping (results go to a temporary folder, RESULTS.md is untouched).
 */
describe('benchmark smoke run', () => {
  const out = tempDir('bench-smoke');
  const scratch = join(out, 'scratch');
  mkdirSync(scratch, { recursive: true });

  for (const bench of BENCHMARKS) {
    it(`${bench.name} runs and writes a result with figures and a plot`, async () => {
      const [result] = await runBenchmarks([bench], {
        durationMs: 1500,
        warmupMs: 500,
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
      if (file.plot) expect(readFileSync(join(out, file.plot), 'utf8')).toMatch(/^<svg[\s\S]*<polyline/);
    }, 120_000);
  }

  it('renders RESULTS.md from the result files', () => {
    const md = renderResultsMarkdown(
      out,
      BENCHMARKS.map((b) => b.name),
    );
    for (const b of BENCHMARKS) {
      expect(md).toContain(`## ${b.name}`);
      if (existsSync(join(out, `${b.name}.svg`))) expect(md).toContain(`(results/${b.name}.svg)`);
    }
    expect(md).toContain('- **Machine:**');
  });
});
