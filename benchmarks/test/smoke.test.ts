import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@wattstream/infra/testing';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { BenchContext, SharedInfra } from '../src/context.js';
import { BENCHMARKS, type BenchResultFile, renderResultsMarkdown, runBenchmarks, SMOKE_RUN } from '../src/index.js';
import { profileService } from '../src/profile.js';

/**
 * A tiny run of every benchmark against the suite's real infrastructure, so the harness cannot
 * rot. It proves that each benchmark runs end to end and reports finite figures and its targets —
 * it measures nothing worth keeping (results go to a temporary folder, RESULTS.md is untouched).
 * Services and load generators run compiled (`pnpm build` first, as scripts/test.sh does).
 */
describe('benchmark smoke run', () => {
  const out = tempDir('bench-smoke');
  const scratch = join(out, 'scratch');
  mkdirSync(scratch, { recursive: true });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  for (const bench of BENCHMARKS) {
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

  it('profiles a service under clinic doctor and leaves the HTML report', async () => {
    const shared = new SharedInfra({ env: inject('infra'), dir: scratch });
    const ctx = new BenchContext(
      { durationMs: 3000, warmupMs: 0, rate: undefined, smoke: true, log: () => {} },
      shared,
    );
    try {
      const html = await profileService(ctx, 'edge', 'doctor', { durationMs: 3000, dest: join(out, 'clinic') });
      expect(html).toMatch(/\.clinic-doctor\.html$/);
      expect(readFileSync(html, 'utf8')).toContain('<html');
    } finally {
      await ctx.cleanupBench();
    }
  }, 120_000);
});
