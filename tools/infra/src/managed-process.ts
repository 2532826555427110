import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive } from '@wattstream/platform';
import { InfraErrorCode, infraError } from './errors.js';

export interface ManagedProcessSpec {
  /** Short name, e.g. `kafka`. */
  name: string;
  /** Instance folder: data, logs, pid file. */
  dir: string;
  /** Executable to run (a JVM, mosquitto, setpriv in front of postgres, …). */
  command: string;
  args: string[];
  env?: Record<string, string>;
  /** Resolves true once the service really serves. */
  ready: () => Promise<boolean>;
  startTimeoutMs?: number;
  /** What `stop` sends first (default SIGTERM); Postgres shuts down fast on SIGINT. */
  stopSignal?: NodeJS.Signals;
}

/** Environment variable that marks a process as started by us for one instance folder. */
export const INSTANCE_ENV = 'WATTSTREAM_INSTANCE';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export { isAlive };

/**
 * A server process (a JVM, mosquitto) started by us, in its own process group, with its output in `<dir>/<name>.log` and its
 * pid in `<dir>/<name>.pid`. `stop` only signals a pid whose environment carries our instance
 * marker (`WATTSTREAM_INSTANCE=<dir>`), so a stale pid file can never kill an unrelated process.
 */
export class ManagedProcess {
  readonly pidFile: string;
  readonly logFile: string;

  constructor(readonly spec: ManagedProcessSpec) {
    this.pidFile = join(spec.dir, `${spec.name}.pid`);
    this.logFile = join(spec.dir, `${spec.name}.log`);
  }

  /** The pid of our running instance, or undefined. */
  runningPid(): number | undefined {
    if (!existsSync(this.pidFile)) return undefined;
    const pid = Number(readFileSync(this.pidFile, 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined;
    return this.ownsPid(pid) ? pid : undefined;
  }

  /** Ours when started with our instance marker in its environment (or its command line). */
  private ownsPid(pid: number): boolean {
    try {
      const environ = readFileSync(`/proc/${pid}/environ`, 'utf8');
      if (environ.split('\0').includes(`${INSTANCE_ENV}=${this.spec.dir}`)) return true;
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(this.spec.dir);
    } catch {
      // No /proc (macOS): trust the pid file.
      return process.platform !== 'linux';
    }
  }

  async start(): Promise<number> {
    const existing = this.runningPid();
    if (existing !== undefined) return existing;
    mkdirSync(this.spec.dir, { recursive: true });
    const out = openSync(this.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(this.spec.command, this.spec.args, {
        cwd: this.spec.dir,
        detached: true,
        stdio: ['ignore', out, out],
        env: { ...process.env, ...this.spec.env, [INSTANCE_ENV]: this.spec.dir },
      });
    } finally {
      closeSync(out);
    }
    let exited: string | undefined;
    child.once('exit', (code, signal) => {
      exited = signal ? `signal ${signal}` : `code ${code}`;
    });
    child.once('error', (err) => {
      exited = err.message;
    });
    child.unref();
    const pid = child.pid;
    if (pid === undefined)
      throw infraError(InfraErrorCode.StartFailed, `${this.spec.name}: could not spawn ${this.spec.command}`);
    writeFileSync(this.pidFile, `${pid}\n`);

    const timeout = this.spec.startTimeoutMs ?? 120_000;
    const deadline = Date.now() + timeout;
    for (;;) {
      if (exited !== undefined) {
        rmSync(this.pidFile, { force: true });
        throw infraError(
          InfraErrorCode.StartFailed,
          `${this.spec.name} exited during start (${exited}); last lines of ${this.logFile}:\n${this.tail(30)}`,
        );
      }
      if (await this.spec.ready().catch(() => false)) return pid;
      if (Date.now() > deadline) {
        await this.stop();
        throw infraError(
          InfraErrorCode.StartTimeout,
          `${this.spec.name} did not become ready within ${timeout / 1000} s; last lines of ${this.logFile}:\n${this.tail(30)}`,
        );
      }
      await sleep(250);
    }
  }

  /** SIGTERM (or the spec's stop signal), wait up to `graceMs`, then SIGKILL. Resolves when the process is gone. */
  async stop({ graceMs = 20_000 } = {}): Promise<boolean> {
    const pid = this.runningPid();
    if (pid === undefined) {
      rmSync(this.pidFile, { force: true });
      return false;
    }
    this.signal(pid, this.spec.stopSignal ?? 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (isAlive(pid) && Date.now() < deadline) await sleep(100);
    if (isAlive(pid)) {
      this.signal(pid, 'SIGKILL');
      while (isAlive(pid)) await sleep(50);
    }
    rmSync(this.pidFile, { force: true });
    return true;
  }

  /** Sends a signal to our running instance (SIGKILL, SIGSTOP, SIGCONT for fault tests). */
  kill(signal: NodeJS.Signals = 'SIGKILL'): boolean {
    const pid = this.runningPid();
    if (pid === undefined) return false;
    this.signal(pid, signal);
    return true;
  }

  /** Waits until the process has exited (after `kill`). */
  async waitForExit(timeoutMs = 30_000): Promise<void> {
    const pid = Number(existsSync(this.pidFile) ? readFileSync(this.pidFile, 'utf8').trim() : 0);
    const deadline = Date.now() + timeoutMs;
    while (pid > 0 && isAlive(pid) && !this.isZombieOfOurs(pid)) {
      if (Date.now() > deadline)
        throw infraError(InfraErrorCode.StartFailed, `${this.spec.name} (pid ${pid}) did not exit`);
      await sleep(50);
    }
    rmSync(this.pidFile, { force: true });
  }

  private isZombieOfOurs(pid: number): boolean {
    try {
      return /^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  }

  private signal(pid: number, signal: NodeJS.Signals): void {
    try {
      process.kill(-pid, signal); // the whole process group
    } catch {
      try {
        process.kill(pid, signal);
      } catch {
        /* already gone */
      }
    }
  }

  tail(lines: number): string {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }
}
