import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findPromtool } from '@wattstream/infra';
import { tempDir } from '@wattstream/infra/testing';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildRules, RULE_TESTS_DIR, RULES_FILE, renderRules, SLOS, writeRules } from '../src/index.js';

const run = promisify(execFile);

/** promtool's exit status and output (it fails with a non-zero status and says why on stdout). */
async function promtool(args: string[], cwd?: string): Promise<{ ok: boolean; out: string }> {
  try {
    const { stdout, stderr } = await run(findPromtool(), args, { cwd, timeout: 120_000 });
    return { ok: true, out: stdout + stderr };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    return { ok: false, out: `${e.stdout ?? ''}${e.stderr ?? ''}${e.message}` };
  }
}

const testFiles = () =>
  readdirSync(RULE_TESTS_DIR)
    .filter((f) => f.endsWith('.test.yml'))
    .map((f) => join(RULE_TESTS_DIR, f));

describe('alert and recording rules', () => {
  it('the committed rule file is what src/rules.ts generates (run `pnpm --filter @wattstream/observability generate`)', () => {
    expect(readFileSync(RULES_FILE, 'utf8')).toBe(renderRules());
  });

  it('pass promtool check rules', async () => {
    const r = await promtool(['check', 'rules', RULES_FILE]);
    expect(r.out).toContain('SUCCESS');
    expect(r.ok).toBe(true);
  });

  it('pass their promtool unit tests', async () => {
    const files = testFiles();
    expect(files.length).toBeGreaterThanOrEqual(2);
    const r = await promtool(['test', 'rules', ...files]);
    expect(r.out, r.out).not.toContain('FAILED');
    expect(r.ok, r.out).toBe(true);
  });

  it('the unit tests catch a wrong threshold (a sink-lag SLO of 100 s instead of 10 s)', async () => {
    const dir = tempDir('rules-mutant');
    mkdirSync(join(dir, 'tests'));
    writeRules(join(dir, 'wattstream.rules.yml'), { sinkLagSeconds: 100 });
    for (const f of testFiles()) copyFileSync(f, join(dir, 'tests', f.split('/').pop()!));
    const r = await promtool(['test', 'rules', join(dir, 'tests', 'alerts.test.yml')]);
    expect(r.ok).toBe(false);
    expect(r.out).toMatch(/FAILED[\s\S]*SinkLag/);
  });

  it('refuses a broken expression (promtool check rules fails with the parse error)', async () => {
    const dir = tempDir('rules-broken');
    const file = join(dir, 'broken.yml');
    writeFileSync(file, 'groups:\n  - name: x\n    rules:\n      - record: a:b\n        expr: sum(rate(x[5m])\n');
    const r = await promtool(['check', 'rules', file]);
    expect(r.ok).toBe(false);
    expect(r.out).toMatch(/parse error|unclosed/);
  });

  it('every SLO has a recording rule per window and fast/slow page + ticket burn alerts', () => {
    const parsed = parse(renderRules()) as ReturnType<typeof buildRules>;
    const all = parsed.groups.flatMap((g) => g.rules);
    for (const slo of SLOS) {
      expect(all.filter((r) => r.record?.startsWith(`slo:${slo.name}:`)).length).toBe(6);
      const burns = all.filter((r) => r.alert === `${slo.alert}BudgetBurn`);
      expect(burns.map((r) => r.labels?.window)).toEqual(['1h/5m', '6h/30m', '1d/2h']);
      expect(burns.map((r) => r.labels?.severity)).toEqual(['page', 'page', 'ticket']);
    }
  });

  it('timings are configurable (the end-to-end test and --observe use short `for`s)', () => {
    const rules = buildRules({ timings: { sinkLag: '5s', targetDown: '5s' } }).groups.flatMap((g) => g.rules);
    expect(rules.find((r) => r.alert === 'SinkLag')?.for).toBe('5s');
    expect(rules.find((r) => r.alert === 'TargetDown')?.for).toBe('5s');
  });
});
