#!/usr/bin/env node
import { fileURLToPath } from 'node:url';
import { Command, runCli } from '@wattstream/kernel';
import { K8sErrorCode, k8sError } from './errors.js';
import { assertEnv, kustomize, retag } from './kustomize.js';
import { resolve } from './resolve.js';
import { capacityMarkdown, drift, write } from './tree.js';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

const program = new Command('k8s').description('wattstream Kubernetes manifests, images and capacity plan');

program
  .command('render')
  .description('print `kubectl kustomize k8s/overlays/<env>` (multi-document YAML)')
  .argument('<env>', 'dev, stage or prod')
  .option('--tag <tag>', 'image tag (or sha256:… digest) of every deployable')
  .option('--registry <registry>', 'image registry and owner, e.g. ghcr.io/acme')
  .action((env: string, o: { tag?: string; registry?: string }) => {
    const out = kustomize(repoRoot, assertEnv(env));
    process.stdout.write(o.tag || o.registry ? retag(out, o.tag ?? 'main', o.registry) : out);
  });

program
  .command('write')
  .description('render k8s/ (bases, overlays, Dockerfiles, CRD schemas, the README capacity table) and .dockerignore')
  .action(() => {
    const r = resolve(repoRoot);
    const n = write(r);
    process.stdout.write(
      `wrote ${n} files for ${r.deployables.map((d) => d.name).join(', ')}` +
        (r.pending.length > 0 ? `; not in the workspace yet: ${r.pending.map((d) => d.name).join(', ')}\n` : '\n'),
    );
  });

program
  .command('check')
  .description('fail when the committed k8s/ differs from what `k8s write` renders')
  .action(() => {
    const d = drift(resolve(repoRoot));
    if (d.length > 0) throw k8sError(K8sErrorCode.Drift, `k8s/ is out of date (run pnpm k8s write):\n${d.join('\n')}`);
    process.stdout.write('k8s/ is current\n');
  });

program
  .command('deployables')
  .description('print the names of the deployables in the workspace as JSON (the CI image matrix)')
  .option('--env <env>', 'only those deployed to this environment')
  .action((o: { env?: string }) => {
    const r = resolve(repoRoot);
    const list = o.env ? r.deployedIn(assertEnv(o.env)) : r.deployables;
    process.stdout.write(`${JSON.stringify(list.map((d) => d.name))}\n`);
  });

program
  .command('plan')
  .description('print the capacity plan (replicas and partitions from the benchmark figures)')
  .action(() => {
    process.stdout.write(`${capacityMarkdown(resolve(repoRoot))}\n`);
  });

await runCli(program);
