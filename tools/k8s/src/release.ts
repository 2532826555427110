#!/usr/bin/env node
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, runCli } from '@wattstream/kernel';
import { ENVS } from './deployables.js';
import { K8sErrorCode, k8sError } from './errors.js';
import { kustomize, retag } from './kustomize.js';
import { resolve } from './resolve.js';
import { drift } from './tree.js';

/**
 * `pnpm release --dry-run`: the stages of .github/workflows/ci.yml on this machine, each step
 * either run or skipped with the reason (what needs a Docker engine, a registry or a cluster).
 * Without --dry-run it would push and deploy, which is CI's job: it refuses.
 */

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
/** Under .tools/ (git-ignored): the deploy folders, SBOMs, rendered manifests and the summary. */
const work = join(repoRoot, '.tools/release');

type Outcome = { stage: string; step: string; result: 'ok' | 'skipped' | 'failed'; seconds: number; note?: string };

const sh = (cmd: string, args: string[], cwd = repoRoot, env: Record<string, string> = {}) => {
  const started = Date.now();
  const res = spawnSync(cmd, args, {
    cwd,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 256 * 1024 * 1024,
  });
  return { ...res, seconds: (Date.now() - started) / 1000, out: `${res.stdout ?? ''}${res.stderr ?? ''}` };
};

const dockerEngine = (): boolean => sh('docker', ['info', '--format', '{{.ServerVersion}}']).status === 0;

export async function release(o: { dryRun: boolean; skip: string[]; tag?: string }): Promise<Outcome[]> {
  if (!o.dryRun) {
    throw k8sError(
      K8sErrorCode.ReleaseNotDry,
      'pnpm release pushes and deploys only in CI; run it with --dry-run here',
    );
  }
  const r = resolve(repoRoot);
  const tag = o.tag ?? sh('git', ['rev-parse', 'HEAD']).stdout.trim();
  const outcomes: Outcome[] = [];
  const step = (stage: string, name: string, fn: () => { ok: boolean; seconds: number; note?: string } | string) => {
    if (o.skip.includes(stage)) {
      outcomes.push({ stage, step: name, result: 'skipped', seconds: 0, note: '--skip' });
      return;
    }
    const res = fn();
    const outcome: Outcome =
      typeof res === 'string'
        ? { stage, step: name, result: 'skipped', seconds: 0, note: res }
        : {
            stage,
            step: name,
            result: res.ok ? 'ok' : 'failed',
            seconds: res.seconds,
            ...(res.note ? { note: res.note } : {}),
          };
    outcomes.push(outcome);
    process.stderr.write(
      `[release] ${stage} · ${name}: ${outcome.result}${outcome.note ? ` (${outcome.note})` : ''} ${outcome.seconds.toFixed(1)} s\n`,
    );
  };
  const run = (cmd: string, args: string[], cwd?: string, env?: Record<string, string>) => {
    const res = sh(cmd, args, cwd, env);
    return {
      ok: res.status === 0,
      seconds: res.seconds,
      ...(res.status === 0 ? {} : { note: res.out.trim().split('\n').slice(-15).join('\n') }),
    };
  };
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const engine = dockerEngine();
  const npmCli = join(sh('npm', ['root', '--global']).stdout.trim(), 'npm/bin/npm-cli.js');

  step('build', 'pnpm build', () => run('pnpm', ['build']));
  step('build', 'pnpm lint', () => run('pnpm', ['lint']));
  step('build', 'k8s/ is current', () => {
    const d = drift(r);
    return { ok: d.length === 0, seconds: 0, ...(d.length > 0 ? { note: d.join(', ') } : {}) };
  });
  step('test', './scripts/test.sh', () => run('./scripts/test.sh', []));
  step('security', 'pnpm audit --prod', () => {
    // `pnpm -s release` would silence the audit's own report
    const res = run('pnpm', ['audit', '--prod', '--audit-level', 'high'], repoRoot, { npm_config_loglevel: 'warn' });
    // the registry this machine reaches answers the audit endpoints with 405
    if (!res.ok && res.note?.includes('ERR_PNPM_AUDIT_BAD_RESPONSE'))
      return 'the registry serves no audit endpoint here; CI audits';
    return res;
  });
  step('security', 'hadolint k8s/images/*.Dockerfile', () =>
    run(join(repoRoot, '.tools/bin/hadolint'), [
      '--failure-threshold',
      'warning',
      ...r.deployables.map((d) => `k8s/images/${d.name}.Dockerfile`),
    ]),
  );
  // what the images ship: the Dockerfile's `pnpm deploy --prod`, one folder per package
  const packages = [...new Set(r.deployables.map((d) => d.package))];
  for (const pkg of packages) {
    const out = join(work, 'deploy', pkg.replace('@wattstream/', ''));
    step('images', `pnpm deploy --prod ${pkg}`, () =>
      run('pnpm', ['--config.inject-workspace-packages=true', 'deploy', '--filter', pkg, '--prod', out]),
    );
    step('security', `SBOM (CycloneDX) of ${pkg}`, () => {
      mkdirSync(join(work, 'sbom'), { recursive: true });
      return run(
        join(repoRoot, 'tools/k8s/node_modules/.bin/cyclonedx-npm'),
        [
          '--ignore-npm-errors',
          '--omit',
          'dev',
          '--output-format',
          'JSON',
          '--output-file',
          join(work, 'sbom', `${pkg.replace('@wattstream/', '')}.cdx.json`),
        ],
        out,
        // cyclonedx-npm reads the tree with the npm of npm_execpath, which under `pnpm release` is pnpm
        { npm_execpath: npmCli },
      );
    });
  }
  for (const d of r.deployables) {
    const ref = `ghcr.io/wattstream/${d.name}:${tag}`;
    step('images', `docker build ${d.name}`, () =>
      engine
        ? run('docker', ['build', '-f', `k8s/images/${d.name}.Dockerfile`, '-t', ref, '.'])
        : 'no Docker engine on this machine',
    );
    step('security', `image scan ${d.name}`, () =>
      engine ? 'trivy runs in CI (aquasecurity/trivy-action)' : 'no Docker engine, no image',
    );
    step('push', `push ${ref}`, () => 'dry run');
  }
  for (const env of ENVS) {
    step('deploy', `render ${env} (tag ${tag.slice(0, 12)})`, () => {
      const started = Date.now();
      const yaml = retag(kustomize(repoRoot, env), tag);
      mkdirSync(join(work, 'manifests'), { recursive: true });
      writeFileSync(join(work, 'manifests', `${env}.yaml`), yaml);
      return { ok: true, seconds: (Date.now() - started) / 1000, note: `.tools/release/manifests/${env}.yaml` };
    });
    step(
      'deploy',
      `kubectl apply ${env}`,
      () => 'dry run: no cluster (kubectl apply --server-side -f .tools/release/manifests/…)',
    );
  }
  writeFileSync(join(work, 'summary.json'), `${JSON.stringify(outcomes, null, 2)}\n`);
  return outcomes;
}

const program = new Command('release')
  .description('the CI pipeline on this machine: build → test → security → images → push → deploy')
  .option('--dry-run', 'run what can run here, skip (and say why) what needs a registry, an engine or a cluster')
  .option('--skip <stages>', 'comma-separated stages to leave out (build,test,security,images,push,deploy)', '')
  .option('--tag <tag>', 'image tag (default: the commit)')
  .action(async (o: { dryRun?: boolean; skip: string; tag?: string }) => {
    const outcomes = await release({
      dryRun: o.dryRun ?? false,
      skip: o.skip.split(',').filter(Boolean),
      ...(o.tag ? { tag: o.tag } : {}),
    });
    const failed = outcomes.filter((x) => x.result === 'failed');
    const count = (k: Outcome['result']) => outcomes.filter((x) => x.result === k).length;
    process.stdout.write(
      `release dry run: ${count('ok')} ok, ${count('skipped')} skipped, ${failed.length} failed (.tools/release/summary.json)\n`,
    );
    if (failed.length > 0) process.exitCode = 1;
  });

await runCli(program);
