/**
 * Child process: HTTP load on one target with undici (keep-alive pool, one request in flight per
 * connection). `closed`: every connection sends its next request when the previous answer is in
 * (saturation; latency from the actual send). `open`: requests leave on a schedule fixed in
 * advance, `rate` per second, and latency is measured from each request's intended send time, so
 * a stalled server shows as latency (no coordinated omission). Only answers after the warm-up count.
 *
 * IPC: parent → `{type:'config', config}`; child → `tick` (each second: answers so far), `done`.
 */
import { Pool } from 'undici';
import { childMain } from '../child.js';
import { LatencyRecorder, type LatencySummary } from '../stats.js';

export interface HttpLoadConfig {
  url: string;
  headers: Record<string, string>;
  connections: number;
  mode: 'closed' | 'open';
  rate: number;
  warmupMs: number;
  durationMs: number;
}

export type HttpLoadMsg =
  | { type: 'tick'; at: number; answers: number }
  | {
      type: 'done';
      answers: number;
      failures: number;
      firstFailure: string | null;
      seconds: number;
      latency: LatencySummary;
      curve: [number, number][];
      cpuSeconds: number;
    }
  | { type: 'error'; message: string };

childMain(async () => {
  const cfg = await new Promise<HttpLoadConfig>((resolve) =>
    process.once('message', (m: { config: HttpLoadConfig }) => resolve(m.config)),
  );
  const u = new URL(cfg.url);
  const pool = new Pool(u.origin, { connections: cfg.connections, pipelining: 1, keepAliveTimeout: 60_000 });
  const path = `${u.pathname}${u.search}`;
  const latency = new LatencyRecorder();
  let answers = 0;
  let failures = 0;
  let firstFailure: string | null = null;
  const t0 = performance.now();
  const measureFrom = t0 + cfg.warmupMs;
  const end = measureFrom + cfg.durationMs;
  let cpuFrom = process.cpuUsage();
  let cpuTaken = false;

  const one = async (intended: number): Promise<void> => {
    const sent = cfg.mode === 'open' ? intended : performance.now();
    try {
      const res = await pool.request({ path, method: 'GET', headers: cfg.headers });
      await res.body.dump();
      const done = performance.now();
      if (done < measureFrom) return;
      if (res.statusCode !== 200) {
        failures++;
        firstFailure ??= `HTTP ${res.statusCode}`;
        return;
      }
      answers++;
      latency.recordMs(done - sent);
    } catch (err) {
      failures++;
      firstFailure ??= (err as Error).message;
    }
  };
  const tick = setInterval(() => process.send?.({ type: 'tick', at: performance.now() - t0, answers }), 1000);
  const warm = setTimeout(() => {
    cpuFrom = process.cpuUsage();
    cpuTaken = true;
  }, cfg.warmupMs);

  if (cfg.mode === 'closed') {
    await Promise.all(
      Array.from({ length: cfg.connections }, async () => {
        while (performance.now() < end) await one(0);
      }),
    );
  } else {
    const inflight = new Set<Promise<void>>();
    const interval = 1000 / cfg.rate;
    let next = t0;
    while (next < end) {
      const now = performance.now();
      while (next <= now && next < end) {
        const p = one(next).finally(() => inflight.delete(p));
        inflight.add(p);
        next += interval;
      }
      await new Promise((r) => setTimeout(r, Math.max(0, Math.min(5, next - performance.now()))));
    }
    await Promise.all(inflight);
  }
  clearInterval(tick);
  clearTimeout(warm);
  const cpu = process.cpuUsage(cpuTaken ? cpuFrom : undefined);
  await pool.close();
  process.send?.({
    type: 'done',
    answers,
    failures,
    firstFailure,
    seconds: cfg.durationMs / 1000,
    latency: latency.summary(),
    curve: latency.curve(),
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  } satisfies HttpLoadMsg);
  setTimeout(() => process.exit(0), 50);
});
