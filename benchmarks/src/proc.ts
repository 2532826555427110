import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { repoRoot } from '@wattstream/infra';
import { httpReady } from '@wattstream/launcher';
import { metricFromText } from '@wattstream/platform';

/** Resident set size of a process in bytes (Linux /proc), 0 when it is gone. */
export function procRss(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

const TICKS = 100; // USER_HZ on Linux

/** CPU seconds (user + system, this process only) used so far (Linux /proc). */
export function procCpuSeconds(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / TICKS;
  } catch {
    return 0;
  }
}

/**
 * Runs `fn` with this process (every thread) pinned to `cpuList`, then restores the affinity it
 * had (which may itself be a taskset the harness was started under). No pinning without a list.
 */
export async function withPinnedSelf<T>(cpuList: string | undefined, fn: () => Promise<T>): Promise<T> {
  if (cpuList === undefined) return fn();
  const before = spawnSync('taskset', ['-c', '-p', String(process.pid)], { encoding: 'utf8' })
    .stdout?.split(':')
    .pop()
    ?.trim();
  pinPid(process.pid, cpuList);
  try {
    return await fn();
  } finally {
    if (before) pinPid(process.pid, before);
  }
}

/** Sets the CPU affinity of every thread of a running process (`taskset -a -p -c`). */
export function pinPid(pid: number, cpuList: string): boolean {
  const r = spawnSync('taskset', ['-a', '-p', '-c', cpuList, String(pid)], { stdio: 'ignore' });
  return r.status === 0;
}

export async function fetchMetrics(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return res.text();
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface ServiceSpec {
  name: string;
  /** Package folder of the compiled CLI (`ingest`, `stream`, `edge`; or an absolute path), run as deployed from `dist/`. */
  pkg: string;
  args: string[];
  env: Record<string, string>;
  /** HTTP port whose `/readyz` (or `readyPath`) answers 200 once the service serves. */
  healthPort: number;
  readyPath?: string;
  nodeArgs?: string[];
  /** `taskset` prefix from `ctx.pin()`. */
  pin?: string[];
  /** Folder for the service's log file. */
  logDir: string;
}

/**
 * One wattstream service from its compiled CLI (`<pkg>/dist/cli.js`), its output in
 * `<logDir>/<name>.log`, with its RSS and CPU read from /proc and its Prometheus metrics.
 */
export class ServiceProcess {
  proc: ChildProcess | undefined;
  readonly logFile: string;

  constructor(readonly spec: ServiceSpec) {
    this.logFile = join(spec.logDir, `${spec.name}.log`);
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  get metricsUrl(): string {
    return `http://127.0.0.1:${this.spec.healthPort}/metrics`;
  }

  async start(timeoutMs = 90_000): Promise<void> {
    const cli = resolve(repoRoot(), this.spec.pkg, 'dist', 'cli.js');
    if (!existsSync(cli)) throw new Error(`${cli} is missing: run pnpm build first`);
    mkdirSync(this.spec.logDir, { recursive: true });
    const out = openSync(this.logFile, 'a');
    const cmd = [...(this.spec.pin ?? []), process.execPath, ...(this.spec.nodeArgs ?? []), cli, ...this.spec.args];
    try {
      this.proc = spawn(cmd[0]!, cmd.slice(1), {
        cwd: repoRoot(),
        env: { ...process.env, LOG_LEVEL: 'warn', ...this.spec.env },
        stdio: ['ignore', out, out],
      });
    } finally {
      closeSync(out);
    }
    const proc = this.proc;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        throw new Error(`${this.spec.name} exited during start; see ${this.logFile}:\n${this.tail()}`);
      }
      if (await httpReady(this.spec.healthPort, this.spec.readyPath)) return;
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(
          `${this.spec.name} not ready within ${timeoutMs / 1000} s; see ${this.logFile}:\n${this.tail()}`,
        );
      }
      await sleep(200);
    }
  }

  tail(lines = 20): string {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  }

  rss(): number {
    return procRss(this.pid);
  }

  cpuSeconds(): number {
    return procCpuSeconds(this.pid);
  }

  async metric(name: string): Promise<number> {
    return metricFromText(await fetchMetrics(this.metricsUrl), name);
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  async stop(graceMs = 15_000): Promise<void> {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}
