import { join } from 'node:path';
import { ManagedProcess } from '@wattstream/infra';

export interface NodeServiceSpec {
  name: string;
  /** Compiled CLI entry, absolute. */
  script: string;
  args: string[];
  env: Record<string, string>;
  /** Its own database (and role) on the stack's PostgreSQL, passed as DATABASE_URL. */
  database?: string;
  /** Port serving `/readyz`; the service counts as started once it answers 200. */
  healthPort: number;
  nodeOptions?: string;
}

/** What a service's `/readyz` said: `degraded` is ready, short of normal (its checks say why). */
export interface Readiness {
  state: 'ready' | 'degraded' | 'not ready';
  checks: Record<string, string>;
}

export async function readiness(port: number, path = '/readyz'): Promise<Readiness> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(1000) });
    const body = (await res.json().catch(() => ({}))) as { status?: unknown; checks?: Record<string, string> };
    const state = res.status !== 200 ? 'not ready' : body.status === 'degraded' ? 'degraded' : 'ready';
    return { state, checks: body.checks ?? {} };
  } catch {
    return { state: 'not ready', checks: {} };
  }
}

export async function httpReady(port: number, path = '/readyz'): Promise<boolean> {
  return (await readiness(port, path)).state !== 'not ready';
}

/** A wattstream service run from its compiled CLI, detached, with a pid file and a log file. */
export function nodeService(runDir: string, spec: NodeServiceSpec): ManagedProcess {
  return new ManagedProcess({
    name: spec.name,
    dir: join(runDir, spec.name),
    command: process.execPath,
    args: [...(spec.nodeOptions ? spec.nodeOptions.split(' ') : []), spec.script, ...spec.args],
    env: spec.env,
    ready: () => httpReady(spec.healthPort),
    startTimeoutMs: 90_000,
  });
}
