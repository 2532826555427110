import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@wattstream/infra/testing';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot, run, tool } from './support.js';

const workflow = () =>
  parse(readFileSync(join(repoRoot, '.github/workflows/ci.yml'), 'utf8')) as {
    jobs: Record<
      string,
      {
        needs?: string | string[];
        environment?: string;
        if?: string;
        steps: { uses?: string; with?: Record<string, string>; run?: string }[];
      }
    >;
  };

describe('.github/workflows', () => {
  it('pass actionlint 1.7.12 (with shellcheck on the run: scripts)', () => {
    const res = run(tool('actionlint'), ['-color=false']);
    expect(res.stdout + res.stderr).toBe('');
    expect(res.status).toBe(0);
  });

  it('actionlint refuses a broken workflow', () => {
    const dir = tempDir('actionlint');
    const bad = join(dir, 'bad.yml');
    writeFileSync(
      bad,
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    needs: nowhere\n    steps:\n      - run: echo hi\n        shell: nosuchshell\n',
    );
    const res = run(tool('actionlint'), ['-color=false', bad]);
    expect(res.status).not.toBe(0);
    expect(res.stdout).toContain('nowhere');
    expect(res.stdout).toContain('nosuchshell');
  });

  it('runs build → test → security → images (scan, push) → deploy, dev on main, stage then prod on tags', () => {
    const { jobs } = workflow();
    const needs = (j: string) => [jobs[j]!.needs ?? []].flat();
    expect(needs('test')).toEqual(['build']);
    expect(needs('security')).toEqual(['build']);
    expect(needs('images').sort()).toEqual(['build', 'security', 'test']);
    expect(needs('deploy-dev')).toEqual(['images']);
    expect(needs('deploy-prod')).toEqual(['deploy-stage']);
    expect(jobs['deploy-dev']!.environment).toBe('dev');
    expect(jobs['deploy-stage']!.environment).toBe('stage');
    expect(jobs['deploy-prod']!.environment).toBe('prod');
    expect(jobs['deploy-dev']!.if).toContain("github.ref == 'refs/heads/main'");
    expect(jobs['deploy-stage']!.if).toContain("startsWith(github.ref, 'refs/tags/v')");
    const uses = (j: string) => jobs[j]!.steps.map((s) => s.uses ?? '');
    expect(uses('images').some((u) => u.startsWith('aquasecurity/trivy-action'))).toBe(true);
    expect(uses('security').some((u) => u.startsWith('anchore/sbom-action'))).toBe(true);
    expect(jobs.security!.steps.some((s) => s.run?.startsWith('pnpm audit'))).toBe(true);
    // caches: the pnpm store (setup-node) and the Maven repository (setup-java)
    const withs = jobs.test!.steps.map((s) => s.with ?? {});
    expect(withs.some((w) => w.cache === 'pnpm')).toBe(true);
    expect(withs.some((w) => w.cache === 'maven')).toBe(true);
  });

  it('`pnpm release` refuses to push or deploy without --dry-run', () => {
    const res = run(process.execPath, ['--conditions=source', '--import', 'tsx', 'tools/k8s/src/release.ts']);
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('error WS_K8S_RELEASE_NOT_DRY');
  });
});
