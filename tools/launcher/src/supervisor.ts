import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** What the supervisor did for one service, kept in its state file for `pipeline status`. */
export interface RestartRecord {
  restarts: number;
  lastRestartAt?: number;
  lastError?: string;
}

export interface SupervisorState {
  pid: number;
  startedAt: number;
  services: Record<string, RestartRecord>;
}

/** The services a supervisor keeps running. */
export interface Supervised {
  readonly serviceNames: readonly string[];
  isRunning(name: string): boolean;
  /** Starts the service; resolves with its pid once it is ready. */
  startService(name: string): Promise<number>;
}

export interface SupervisorOptions {
  /** How often each service is looked at. */
  pollMs?: number;
  /** Wait before the second restart in a row; doubles up to `backoffMaxMs`. The first is immediate. */
  backoffMinMs?: number;
  backoffMaxMs?: number;
  /** A service that ran this long counts as healthy again: its next crash restarts at once. */
  stableMs?: number;
}

export function readSupervisorState(file: string): SupervisorState | undefined {
  try {
    return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as SupervisorState) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Restarts a crashed service by itself: each service is polled, one that is gone is started again
 * at once, and again after 0.5 s, 1 s, 2 s … (at most `backoffMaxMs`) while it keeps crashing;
 * after `stableMs` of running it is healthy again. Every restart is logged and counted in the
 * state file. It is not the services' parent (they run detached, as `up` starts them), so it
 * notices a crash within `pollMs`.
 */
export class Supervisor {
  private readonly state: SupervisorState;
  private readonly o: Required<SupervisorOptions>;

  constructor(
    private readonly target: Supervised,
    private readonly stateFile: string,
    private readonly log: (msg: string) => void,
    opts: SupervisorOptions = {},
  ) {
    this.o = { pollMs: 250, backoffMinMs: 500, backoffMaxMs: 30_000, stableMs: 60_000, ...opts };
    const previous = readSupervisorState(stateFile);
    this.state = { pid: process.pid, startedAt: Date.now(), services: previous?.services ?? {} };
    for (const name of target.serviceNames) this.state.services[name] ??= { restarts: 0 };
  }

  /** Runs until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    this.persist();
    this.log(`supervising ${this.target.serviceNames.join(', ')}`);
    await Promise.all(this.target.serviceNames.map((name) => this.watch(name, signal)));
  }

  private async watch(name: string, signal: AbortSignal): Promise<void> {
    const record = this.state.services[name] as RestartRecord;
    let crashes = 0;
    let runningSince = Date.now();
    while (!signal.aborted) {
      if (this.target.isRunning(name)) {
        if (crashes > 0 && Date.now() - runningSince >= this.o.stableMs) crashes = 0;
        await pause(this.o.pollMs, signal);
        continue;
      }
      const wait = crashes === 0 ? 0 : Math.min(this.o.backoffMinMs * 2 ** (crashes - 1), this.o.backoffMaxMs);
      this.log(
        `${name} is not running; restarting it${wait > 0 ? ` in ${wait} ms` : ''} (restart ${record.restarts + 1})`,
      );
      if (wait > 0 && !(await pause(wait, signal))) break;
      crashes++;
      try {
        const pid = await this.target.startService(name);
        record.restarts++;
        record.lastRestartAt = Date.now();
        delete record.lastError;
        this.log(`${name} restarted (pid ${pid})`);
      } catch (err) {
        record.lastError = (err as Error).message.split('\n')[0] ?? 'start failed';
        this.log(`${name} did not start: ${(err as Error).message}`);
      }
      runningSince = Date.now();
      this.persist();
    }
  }

  private persist(): void {
    mkdirSync(dirname(this.stateFile), { recursive: true });
    const tmp = `${this.stateFile}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(this.state, null, 2)}\n`);
    renameSync(tmp, this.stateFile);
  }
}

/** Resolves true after `ms`, false as soon as `signal` aborts. */
async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}
