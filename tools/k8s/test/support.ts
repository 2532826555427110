import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENVS, type Env, kustomize, parseDocs, type Resolved, resolve } from '../src/index.js';

export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

const INSTALL = "bash -c 'source scripts/lib/bootstrap.sh && require_k8s_tools' (scripts/test.sh does it)";

/** A validator installed by `require_k8s_tools` (scripts/lib/bootstrap.sh) under .tools/. */
export function tool(name: string): string {
  const path = join(repoRoot, '.tools/bin', name);
  if (!existsSync(path)) throw new Error(`${name} is not installed in .tools/bin; run ${INSTALL}`);
  return path;
}

export function toolPath(rel: string): string {
  const path = join(repoRoot, '.tools', rel);
  if (!existsSync(path)) throw new Error(`.tools/${rel} is missing; run ${INSTALL}`);
  return path;
}

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], opts: { cwd?: string; input?: string } = {}): Run {
  const res = spawnSync(cmd, args, {
    cwd: opts.cwd ?? repoRoot,
    input: opts.input,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (res.error) throw res.error;
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

export type Obj = Record<string, unknown> & {
  kind: string;
  apiVersion: string;
  metadata: { name: string } & Record<string, unknown>;
};

let cached: { r: Resolved; rendered: Record<Env, { yaml: string; docs: Obj[] }> } | undefined;

/** The workspace resolved once, and each overlay rendered once by `kubectl kustomize`, per test file. */
export function rendered() {
  if (!cached) {
    const r = resolve(repoRoot);
    const out = {} as Record<Env, { yaml: string; docs: Obj[] }>;
    for (const env of ENVS) {
      const yaml = kustomize(repoRoot, env);
      out[env] = { yaml, docs: parseDocs(yaml) as Obj[] };
    }
    cached = { r, rendered: out };
  }
  return cached;
}

export const podSpecOf = (o: Obj): Record<string, unknown> | undefined =>
  (o.spec as { template?: { spec?: Record<string, unknown> } } | undefined)?.template?.spec;
