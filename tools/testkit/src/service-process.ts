import { type ChildProcess, spawn } from 'node:child_process';
import { metricFromText } from '@wattstream/platform';

export interface ServiceProcessOptions {
  /** A CLI entry: `.ts` runs through tsx with sibling packages from their sources, `.js` as built. */
  cli: string;
  args: string[];
  env: Record<string, string>;
  /** Where `/readyz` answers. */
  httpUrl: string;
  cwd?: string;
}

/**
 * A service as a real child process, for tests that kill it (`SIGKILL` between two steps) or
 * restart it. `start()` resolves once `/readyz` is 200.
 */
export class ServiceProcess {
  proc: ChildProcess | undefined;
  output = '';

  constructor(readonly o: ServiceProcessOptions) {}

  async start(timeoutMs = 60_000): Promise<void> {
    const runner = this.o.cli.endsWith('.ts') ? ['--conditions=source', '--import', 'tsx'] : [];
    const proc = spawn(process.execPath, [...runner, this.o.cli, ...this.o.args], {
      cwd: this.o.cwd ?? process.cwd(),
      env: { ...process.env, ...this.o.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc = proc;
    const keep = (b: Buffer) => {
      this.output = (this.output + b.toString()).slice(-50_000);
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        throw new Error(`${this.o.cli} ${this.o.args.join(' ')} exited during start:\n${this.output}`);
      }
      const ok = await fetch(`${this.o.httpUrl}/readyz`, { signal: AbortSignal.timeout(1000) })
        .then((r) => r.status === 200)
        .catch(() => false);
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`${this.o.cli} not ready in ${timeoutMs} ms:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Sends `signal` and waits for the exit; resolves with the exit code (null when killed). */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return proc?.exitCode ?? null;
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    proc.kill(signal);
    return exited;
  }

  kill(): Promise<number | null> {
    return this.stop('SIGKILL');
  }

  async metric(name: string): Promise<number> {
    return metricFromText(await (await fetch(`${this.o.httpUrl}/metrics`)).text(), name);
  }
}
