import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '@wattstream/infra';
import { instanceEnv } from '@wattstream/infra/testing';
import { loadConfig, metricFromText } from '@wattstream/platform';
import { mintEdgeToken, tokenConfig } from '../src/token.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(repo, 'ingest', 'src', 'cli.ts');
const compiledCli = join(repo, 'ingest', 'dist', 'cli.js');

/**
 * `ingest serve|sink` as a real child process (TypeScript through tsx, sibling packages from
 * their sources), for tests that kill it or measure its memory.
 */
export class IngestProcess {
  proc: ChildProcess | undefined;
  output = '';

  private constructor(
    readonly command: 'serve' | 'sink',
    readonly env: Record<string, string>,
    /** Run the built `dist/cli.js` (as deployed) instead of the sources through tsx. */
    readonly compiled: boolean,
    /** Extra node flags, e.g. `--cpu-prof`. */
    readonly nodeArgs: string[],
  ) {}

  /** An edge token signed with this process's key (the one under its DATA_DIR). */
  token(edge: string, athletes: string[]): Promise<string> {
    return mintEdgeToken(loadConfig(tokenConfig, { DATA_DIR: this.env.DATA_DIR! }), { edge, athletes, ttl: '1h' });
  }

  static async create(
    command: 'serve' | 'sink',
    env: Record<string, string>,
    { compiled = false, nodeArgs = [] as string[] } = {},
  ): Promise<IngestProcess> {
    if (compiled && !existsSync(compiledCli)) throw new Error(`${compiledCli} is missing: run pnpm build first`);
    const ports: Record<string, string> =
      command === 'serve'
        ? {
            MQTT_PORT: String(await freePort()),
            MQTT_WS_PORT: String(await freePort()),
            INGEST_HTTP_PORT: String(await freePort()),
          }
        : { SINK_HTTP_PORT: String(await freePort()) };
    return new IngestProcess(
      command,
      { MQTT_HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...ports, ...env },
      compiled,
      nodeArgs,
    );
  }

  get mqttUrl(): string {
    return `mqtt://127.0.0.1:${this.env.MQTT_PORT}`;
  }

  get httpUrl(): string {
    return `http://127.0.0.1:${this.env.INGEST_HTTP_PORT ?? this.env.SINK_HTTP_PORT}`;
  }

  /** Starts the process and waits until `/readyz` answers 200. */
  async start(timeoutMs = 60_000): Promise<void> {
    const args = [
      ...this.nodeArgs,
      ...(this.compiled ? [compiledCli, this.command] : ['--conditions=source', '--import', 'tsx', cli, this.command]),
    ];
    const proc = spawn(process.execPath, args, {
      cwd: repo,
      // DATA_DIR is the test's tempDir: the reaper stops this process if the test run dies.
      env: { ...process.env, ...this.env, ...(this.env.DATA_DIR ? instanceEnv(this.env.DATA_DIR) : {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc = proc;
    const keep = (b: Buffer) => {
      this.output = (this.output + b.toString()).slice(-20_000);
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        throw new Error(`ingest ${this.command} exited during start:\n${this.output}`);
      }
      const ok = await fetch(`${this.httpUrl}/readyz`, { signal: AbortSignal.timeout(1000) })
        .then((r) => r.status === 200)
        .catch(() => false);
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`ingest ${this.command} not ready:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Sends a signal and waits for the exit. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    proc.kill(signal);
    await exited;
  }

  /** Resident set size in bytes (Linux /proc). */
  rss(): number {
    const pid = this.proc?.pid;
    if (!pid) return 0;
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  }

  /** CPU seconds (user + system) the process has used so far (Linux /proc, 100 ticks/s). */
  cpuSeconds(): number {
    const pid = this.proc?.pid;
    if (!pid) return 0;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  }

  async metric(name: string): Promise<number> {
    const text = await (await fetch(`${this.httpUrl}/metrics`)).text();
    return metricFromText(text, name);
  }
}
