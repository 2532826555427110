import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ENVS, type Env } from './deployables.js';
import { CLUSTER } from './environments.js';
import { K8sErrorCode, k8sError } from './errors.js';

export const kubectl = (): string => process.env.KUBECTL ?? 'kubectl';

export function assertEnv(env: string): Env {
  if (!(ENVS as readonly string[]).includes(env)) {
    throw k8sError(K8sErrorCode.UnknownEnv, `unknown environment "${env}"; use one of ${ENVS.join(', ')}`);
  }
  return env as Env;
}

/** `kubectl kustomize k8s/overlays/<env>`: the multi-document YAML an apply would send. */
export function kustomize(repoRoot: string, env: Env): string {
  return kustomizeDir(repoRoot, `overlays/${env}`);
}

/** `kubectl kustomize k8s/<dir>` (an overlay, or `cluster/logging`). */
export function kustomizeDir(repoRoot: string, dir: string): string {
  const res = spawnSync(kubectl(), ['kustomize', join(repoRoot, 'k8s', dir)], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (res.error) {
    throw k8sError(
      K8sErrorCode.NoKubectl,
      `cannot run ${kubectl()} (${res.error.message}); install kubectl or set KUBECTL`,
    );
  }
  if (res.status !== 0) throw k8sError(K8sErrorCode.KustomizeFailed, `kubectl kustomize ${dir} failed:\n${res.stderr}`);
  return res.stdout;
}

export const parseDocs = (text: string): Record<string, unknown>[] =>
  parseAllDocuments(text)
    .map((d) => d.toJS() as Record<string, unknown> | null)
    .filter((d): d is Record<string, unknown> => d !== null);

/**
 * Points the deployables' images at `registry` with `tag` (a git SHA, a release tag) or, when
 * `tag` starts with `sha256:`, a digest — what CI does after pushing.
 */
export function retag(yamlText: string, tag: string, registry: string = CLUSTER.registry): string {
  const sep = tag.startsWith('sha256:') ? '@' : ':';
  return yamlText.replace(
    new RegExp(`(image: )${CLUSTER.registry.replace(/[.]/g, '\\.')}/([a-z0-9-]+)[:@][^\\s]+`, 'g'),
    (_m, pre: string, name: string) => `${pre}${registry}/${name}${sep}${tag}`,
  );
}
