import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { startMosquitto, tempDir } from '@wattstream/infra/testing';
import { createLogger, loadConfig } from '@wattstream/platform';
import { EdgeAgent } from '../src/agent.js';
import { edgeConfig } from '../src/config.js';
import { DiskQueue } from '../src/queue/disk-queue.js';
import { startSimulatedEdge } from '../src/sim/run.js';

/**
 * Load scenarios of the edge agent (issue 3 targets: 50 sensors at 4 Hz under 5 % of one core;
 * a backlog of 10,000 batches drained in under 10 s). Reusable by the benchmarks package; each
 * returns its figures. The broker is Debian's Mosquitto in its own process, so its CPU is not
 * counted; the simulated radios run inside the measured process, so the CPU figure is an upper
 * bound for the agent alone.
 */
const logger = createLogger('edge-bench', process.env.LOG_LEVEL ?? 'warn');

function config(overrides: Record<string, string>) {
  return loadConfig(
    edgeConfig,
    {},
    { DATA_DIR: tempDir('edge-bench'), EDGE_HTTP_PORT: '0', LOG_LEVEL: 'warn', ...overrides },
  );
}

export interface SensorLoadResult {
  sensors: number;
  hz: number;
  windowS: number;
  cpuPercentOfOneCore: number;
  payloadsPerSecond: number;
  batchesAckedPerSecond: number;
  fsync: boolean;
  /** [seconds into the window, CPU % of one core over the last second] */
  cpuTimeline: [number, number][];
}

/** A broker at `mqttUrl`, or a Mosquitto of our own (in this process's CPU set) stopped at the end. */
async function broker(mqttUrl: string | undefined): Promise<{ url: string; destroy: () => Promise<void> }> {
  if (mqttUrl !== undefined) return { url: mqttUrl, destroy: async () => {} };
  const own = await startMosquitto();
  return { url: own.url, destroy: () => own.destroy() };
}

/**
 * One agent reading `athletes × 2` simulated sensors at `hz`, publishing to Mosquitto (`mqttUrl`
 * when given, so the caller can run the broker on another core).
 */
export async function benchSensorLoad(
  opts: { athletes?: number; hz?: number; warmupS?: number; windowS?: number; fsync?: boolean; mqttUrl?: string } = {},
): Promise<SensorLoadResult> {
  const athletes = opts.athletes ?? 25;
  const hz = opts.hz ?? 4;
  const fsync = opts.fsync ?? true;
  const mqtt = await broker(opts.mqttUrl);
  const cfg = config({ MQTT_URL: mqtt.url, EDGE_ID: 'edge-bench', EDGE_QUEUE_FSYNC: String(fsync) });
  try {
    const edge = await startSimulatedEdge({
      config: cfg,
      logger,
      simulation: { athletes, hz, bleHrHz: hz, seed: 1, profile: 'mixed' },
      http: false,
    });
    await edge.ready(60_000);
    await new Promise((r) => setTimeout(r, (opts.warmupS ?? 5) * 1000));
    const acked0 = (await edge.agent.metrics.batchesAcked.get()).values[0]?.value ?? 0;
    const delivered0 = edge.simulation.delivered;
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const cpuTimeline: [number, number][] = [];
    let last = { cpu: process.cpuUsage(), at: process.hrtime.bigint() };
    const sampler = setInterval(() => {
      const at = process.hrtime.bigint();
      const c = process.cpuUsage(last.cpu);
      const s = Number(at - last.at) / 1e9;
      cpuTimeline.push([
        Math.round((Number(at - t0) / 1e9) * 10) / 10,
        Math.round(((c.user + c.system) / 1e6 / s) * 1000) / 10,
      ]);
      last = { cpu: process.cpuUsage(), at };
    }, 1000);
    await new Promise((r) => setTimeout(r, (opts.windowS ?? 20) * 1000));
    clearInterval(sampler);
    const cpu = process.cpuUsage(cpu0);
    const wallS = Number(process.hrtime.bigint() - t0) / 1e9;
    const acked = ((await edge.agent.metrics.batchesAcked.get()).values[0]?.value ?? 0) - acked0;
    const delivered = edge.simulation.delivered - delivered0;
    await edge.stop({ drainMs: 2000 });
    return {
      sensors: edge.simulation.pairings.length,
      hz,
      windowS: Math.round(wallS * 10) / 10,
      cpuPercentOfOneCore: Math.round(((cpu.user + cpu.system) / 1e6 / wallS) * 1000) / 10,
      payloadsPerSecond: Math.round(delivered / wallS),
      batchesAckedPerSecond: Math.round(acked / wallS),
      fsync,
      cpuTimeline,
    };
  } finally {
    await mqtt.destroy();
    rmSync(cfg.dataDir, { recursive: true, force: true });
  }
}

export interface BacklogDrainResult {
  batches: number;
  drainMs: number;
  batchesPerSecond: number;
  inflightWindow: number;
  /** [ms since CONNACK, queue depth] every 100 ms */
  depthTimeline: [number, number][];
}

/**
 * A queue holding `batches` batches (as after an outage of a studio: 50 devices × 200 batches)
 * on disk; the agent starts, connects, and drains it. Timed from CONNACK to the last PUBACK.
 */
export async function benchBacklogDrain(
  opts: { batches?: number; devices?: number; inflight?: number; mqttUrl?: string } = {},
): Promise<BacklogDrainResult> {
  const batches = opts.batches ?? 10_000;
  const devices = opts.devices ?? 50;
  const mqtt = await broker(opts.mqttUrl);
  const cfg = config({
    MQTT_URL: mqtt.url,
    EDGE_ID: 'edge-drain',
    EDGE_INFLIGHT: String(opts.inflight ?? 64),
  });
  try {
    const q = DiskQueue.open({ dir: join(cfg.dataDir, 'edge', 'queue'), budgetBytes: cfg.queueBudget });
    const ts0 = Date.now() - batches * 250;
    for (let i = 0; i < batches; i++) {
      const device = `dev-${i % devices}`;
      const seq = Math.floor(i / devices);
      const body = {
        seq,
        samples: [{ ts: ts0 + i * 5, power: 200 + (i % 50), cadence: 90, speed: 9.5, distance: i * 2.4 }],
      };
      q.append(`v1/samples/ath-${i % devices}/${device}`, seq, Buffer.from(JSON.stringify(body)));
      if (i % 500 === 499) await q.commit();
    }
    await q.close();
    const agent = new EdgeAgent({ config: cfg, logger, pairings: [], http: false });
    const connected = new Promise<number>((r) => agent.publisher.once('connect', () => r(performance.now())));
    await agent.start();
    const t0 = await connected;
    const depthTimeline: [number, number][] = [[0, agent.queue.depth]];
    let nextSample = 100;
    while (agent.queue.depth > 0) {
      await new Promise((r) => setTimeout(r, 5));
      const t = performance.now() - t0;
      if (t >= nextSample) {
        depthTimeline.push([Math.round(t), agent.queue.depth]);
        nextSample += 100;
      }
    }
    const drainMs = Math.round(performance.now() - t0);
    depthTimeline.push([drainMs, 0]);
    await agent.stop({ drainMs: 0 });
    return {
      batches,
      drainMs,
      batchesPerSecond: Math.round((batches / drainMs) * 1000),
      inflightWindow: cfg.inflight,
      depthTimeline,
    };
  } finally {
    await mqtt.destroy();
    rmSync(cfg.dataDir, { recursive: true, force: true });
  }
}
