/**
 * Readiness: `/readyz` is 200 only while every check passes. A check returns `true` when its
 * dependency is usable, or a short reason when it is not; a check that throws or takes longer than
 * its timeout counts as not ready. While the service starts or stops, it is not ready whatever the
 * checks say, so a load balancer sends it nothing.
 */
export type ReadinessCheck = () => boolean | string | Promise<boolean | string>;

export interface ReadinessReport {
  status: 'ready' | 'not ready';
  phase: 'starting' | 'running' | 'stopping';
  checks: Record<string, string>;
}

const CHECK_TIMEOUT_MS = 2000;

export class Readiness {
  private readonly checks = new Map<string, ReadinessCheck>();
  phase: ReadinessReport['phase'] = 'starting';

  add(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  async report(): Promise<ReadinessReport> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]) => [name, await runCheck(check)] as const),
    );
    const checks = Object.fromEntries(entries);
    const ok = this.phase === 'running' && entries.every(([, r]) => r === 'ok');
    return { status: ok ? 'ready' : 'not ready', phase: this.phase, checks };
  }
}

async function runCheck(check: ReadinessCheck): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const r = await Promise.race([
      Promise.resolve().then(check),
      new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve(`no answer within ${CHECK_TIMEOUT_MS} ms`), CHECK_TIMEOUT_MS);
      }),
    ]);
    return r === true ? 'ok' : r === false ? 'not ready' : r;
  } catch (err) {
    return (err as Error).message || 'check failed';
  } finally {
    clearTimeout(timer);
  }
}
