import { join } from 'node:path';
import { ManagedProcess } from '@wattstream/infra';

export interface NodeServiceSpec {
  name: string;
  /** Compiled CLI entry, absolute. */
  script: string;
  args: string[];
  env: Record<string, string>;
  /** Port serving `/readyz`; the service counts as started once it answers 200. */
  healthPort: number;
  nodeOptions?: string;
}

export async function httpReady(port: number, path = '/readyz'): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
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
