import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '@wattstream/infra';

/**
 * A load generator or helper server in its own Node process, optionally pinned (`taskset`), with
 * an IPC channel: the parent sends commands, the child answers with typed messages.
 */
export class Child<Msg extends { type: string } = { type: string }> {
  readonly proc: ChildProcess;
  private readonly waiters: { type: string; resolve: (m: Msg) => void; reject: (e: Error) => void }[] = [];
  private exitError: Error | undefined;
  readonly messages: Msg[] = [];
  private readonly listeners: ((m: Msg) => void)[] = [];

  constructor(
    readonly name: string,
    script: string,
    opts: { args?: string[]; nodeArgs?: string[]; pin?: string[]; env?: Record<string, string> } = {},
  ) {
    const cmd = [...(opts.pin ?? []), process.execPath, ...(opts.nodeArgs ?? []), script, ...(opts.args ?? [])];
    this.proc = spawn(cmd[0]!, cmd.slice(1), {
      cwd: repoRoot(),
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.proc.on('message', (m: Msg) => {
      for (const l of this.listeners) l(m);
      const i = this.waiters.findIndex((w) => w.type === m.type);
      if (i >= 0) this.waiters.splice(i, 1)[0]?.resolve(m);
      else if (m.type === 'error') this.fail(new Error(`${name}: ${(m as unknown as { message: string }).message}`));
      else this.messages.push(m);
    });
    this.proc.on('error', (err) => this.fail(new Error(`${name}: ${err.message}`)));
    this.proc.once('exit', (code, signal) => {
      this.fail(new Error(`${name} exited (${signal ?? `code ${code}`})`));
    });
  }

  private fail(err: Error): void {
    this.exitError ??= err;
    for (const w of this.waiters.splice(0)) w.reject(err);
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  onMessage(fn: (m: Msg) => void): void {
    this.listeners.push(fn);
  }

  send(msg: object): void {
    // a child that has just exited: the exit handler reports it, not an EPIPE
    if (this.proc.connected) this.proc.send(msg, (err) => void err);
  }

  /** The next message of `type` (or one already received and not yet taken). */
  next<T extends Msg['type']>(type: T, timeoutMs = 600_000): Promise<Extract<Msg, { type: T }>> {
    const i = this.messages.findIndex((m) => m.type === type);
    if (i >= 0) return Promise.resolve(this.messages.splice(i, 1)[0] as Extract<Msg, { type: T }>);
    if (this.exitError) return Promise.reject(this.exitError);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.name}: no "${type}" within ${timeoutMs / 1000} s`)),
        timeoutMs,
      );
      this.waiters.push({
        type,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m as Extract<Msg, { type: T }>);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
    });
  }

  /** Asks it to exit (`{type:'exit'}`), then SIGKILL after `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    const p = this.proc;
    if (p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise<void>((r) => p.once('exit', () => r()));
    this.send({ type: 'exit' });
    const timer = setTimeout(() => p.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}

/**
 * Path of a compiled module of this package (`benchmarks/dist/…`), for child processes — also
 * when the parent runs from sources (the smoke test): children always run compiled code.
 */
export const distFile = (rel: string) => join(repoRoot(), 'benchmarks', 'dist', rel);

/** For child entries: report an uncaught failure to the parent, then exit. */
export function childMain(fn: () => Promise<void>): void {
  fn().catch((err: unknown) => {
    process.send?.({ type: 'error', message: (err as Error).stack ?? String(err) });
    setTimeout(() => process.exit(1), 100);
  });
}
