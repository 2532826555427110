import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { BenchContext, SharedInfra } from '../src/context.js';
import { BENCHMARK_NAMES } from '../src/index.js';
import { profileService } from '../src/profile.js';
import { SMOKE_GROUPS, smokeSuite } from './smoke-suite.js';

describe('benchmark smoke run: services, gateway and profiling', () => {
  const scratch = smokeSuite('services');

  it('leaves no benchmark out of the smoke run, and runs none twice', () => {
    expect(Object.values(SMOKE_GROUPS).flat().sort()).toEqual([...BENCHMARK_NAMES].sort());
  });

  it('profiles a service under clinic doctor and leaves the HTML report', async () => {
    const shared = new SharedInfra({ env: inject('infra'), dir: scratch });
    const ctx = new BenchContext(
      { durationMs: 3000, warmupMs: 0, rate: undefined, smoke: true, log: () => {} },
      shared,
    );
    try {
      const html = await profileService(ctx, 'edge', 'doctor', { durationMs: 3000, dest: join(scratch, 'clinic') });
      expect(html).toMatch(/\.clinic-doctor\.html$/);
      expect(readFileSync(html, 'utf8')).toContain('<html');
    } finally {
      await ctx.cleanupBench();
    }
  }, 120_000);
});
