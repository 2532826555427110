import { randomUUID } from 'node:crypto';
import { freePort } from '@wattstream/infra';
import { LAUNCHER_PORT_SETTINGS, launcherConfig, Pipeline, type PipelineInfo } from '@wattstream/launcher';
import { loadConfig } from '@wattstream/platform';
import { Child, distFile } from './child.js';
import type { BenchContext } from './context.js';
import type { E2eReceiverConfig, E2eReceiverMsg, E2eSchedule } from './load/e2e-receiver.js';
import { MqttLoad } from './load/mqtt-driver.js';
import { procCpuSeconds, procRss } from './proc.js';
import { edgeConnections, liveToken, scratch } from './services.js';

/**
 * Samples per batch in e2e: an edge flushing every 250 ms a device that reports ~40 times a second
 * (or several sensors merged). `BENCH_SAMPLES_PER_BATCH` changes it: fewer samples per batch means
 * more MQTT messages for the same samples/s.
 */
export const SAMPLES_PER_BATCH = Number(process.env.BENCH_SAMPLES_PER_BATCH ?? 10);
/**
 * What e2e and soak start of the main job: the data path from edge to browser (and users, whose
 * keys every service trusts). `BENCH_PIPELINE_SERVICES=` (empty) starts the whole main job.
 */
const DATA_PATH = ['ingest', 'sink', 'stream-worker', 'live', 'edge-sim'];
/** An edge flushes each device every 250 ms (EDGE_FLUSH_INTERVAL). */
export const BATCH_HZ = 4;
const ATHLETES_PER_EDGE = 25;

export interface RunningPipeline {
  pipeline: Pipeline;
  info: PipelineInfo;
  dataDir: string;
  livePort: number;
  brokers: string;
  /** consumer groups of the stream worker and the sink on `tracking.metrics.received` */
  groups: { worker: string; sink: string };
  /** pid per service (ingest, sink, stream-worker, live, edge-sim) */
  pids(): Promise<Record<string, number>>;
}

/**
 * The pipeline as `pnpm pipeline up` runs it (`@wattstream/launcher`: by default its data path,
 * DATA_PATH, as real processes from `dist/`), on free ports,
 * against fresh infrastructure, with consumer groups of its own. Services are not pinned: the
 * whole pipeline shares the machine, as it would in production on one host.
 */
export async function startPipeline(ctx: BenchContext, name: string): Promise<RunningPipeline> {
  const infra = await ctx.freshInfra();
  const dataDir = scratch(infra.dir, name);
  const ports: Record<string, number> = {};
  for (const setting of LAUNCHER_PORT_SETTINGS) ports[setting] = await freePort();
  const id = randomUUID().slice(0, 8);
  const cfg = loadConfig(launcherConfig, {
    DATA_DIR: dataDir,
    SIM_ATHLETES: '2',
    PIPELINE_SERVICES: process.env.BENCH_PIPELINE_SERVICES ?? DATA_PATH.join(','),
    // own databases: the PostgreSQL of a smoke run is shared with other pipelines
    PIPELINE_DATABASE_PREFIX: `b${id}_`,
    ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
  });
  // fresh consumer groups so nothing old is replayed; quiet services so their logs do not load the machine
  const serviceEnv = {
    LOG_LEVEL: process.env.BENCH_SERVICE_LOG_LEVEL ?? 'warn',
    STREAM_GROUP_ID: `bench-${name}-${id}`,
    STREAM_INSTANCE_ID: `bench-${id}`,
    SINK_GROUP: `bench-${name}-sink-${id}`,
    LIVE_INSTANCE_ID: `bench-${id}`,
  };
  const pipeline = new Pipeline(cfg, (m) => ctx.log(`  pipeline: ${m}`), infra.env, serviceEnv);
  ctx.onCleanup(async () => {
    await pipeline.down();
  });
  const info = await pipeline.up();
  return {
    pipeline,
    info,
    dataDir,
    livePort: ports.LIVE_PORT!,
    brokers: infra.env.KAFKA_BROKERS!,
    groups: { worker: serviceEnv.STREAM_GROUP_ID, sink: serviceEnv.SINK_GROUP },
    pids: async () =>
      Object.fromEntries(
        (await pipeline.status()).filter((s) => s.pid !== undefined).map((s) => [s.name, s.pid as number]),
      ),
  };
}

/** Edges and athletes for a target rate of samples/s: `samplesPerBatch`-sample batches, 4 per second per athlete. */
function loadShape(samplesPerSec: number, samplesPerBatch = SAMPLES_PER_BATCH) {
  const athletes = Math.max(1, Math.ceil(samplesPerSec / (samplesPerBatch * BATCH_HZ)));
  const perEdge = Math.min(ATHLETES_PER_EDGE, athletes);
  const edges = Math.ceil(athletes / perEdge);
  const total = edges * perEdge;
  return {
    edges,
    perEdge,
    athletes: total,
    samplesPerBatch,
    publishesPerSec: total * BATCH_HZ,
    samplesPerSec: total * BATCH_HZ * samplesPerBatch,
  };
}

export interface E2eRun {
  load: MqttLoad;
  receiver: Child<E2eReceiverMsg>;
  shape: ReturnType<typeof loadShape>;
  t0: number;
}

/**
 * Edges publishing on a fixed schedule (open loop, `ts` = intended send time) into the running
 * pipeline's ingest, and the WebSocket receiver following every athlete on the live server. Both
 * connected; the schedule starts at `t0`, shortly after this returns — call `load.run(…, t0)`.
 */
export async function startE2eLoad(
  ctx: BenchContext,
  p: RunningPipeline,
  samplesPerSec: number,
  window: { warmupMs: number; durationMs: number; windowS: number },
  samplesPerBatch = SAMPLES_PER_BATCH,
): Promise<E2eRun> {
  const shape = loadShape(samplesPerSec, samplesPerBatch);
  const { conns, athletes } = await edgeConnections(p.dataDir, {
    edges: shape.edges,
    athletesPerEdge: shape.perEdge,
    prefix: 'e2e',
    credentials: true,
  });
  const load = await MqttLoad.connect(ctx, 'edge publishers', {
    url: p.info.mqttUrl,
    connections: conns,
    samplesPerBatch,
    timed: true,
    periodMs: 1000 / BATCH_HZ,
    mode: 'open',
    window: 0,
    ratePerSec: shape.publishesPerSec,
  });
  const receiver = new Child<E2eReceiverMsg>('WebSocket receiver', distFile('load/e2e-receiver.js'), {
    pin: ctx.pin('load'),
  });
  ctx.onCleanup(() => receiver.stop());
  const cfg: E2eReceiverConfig = {
    url: `ws://127.0.0.1:${p.livePort}/v1/live`,
    token: await liveToken(p.dataDir),
    athletes,
    publishesPerSec: shape.publishesPerSec,
    graceS: ctx.smoke ? 2 : 5,
    windowS: window.windowS,
  };
  receiver.send({ type: 'config', config: cfg });
  await receiver.next('ready', 120_000);
  const t0 = performance.timeOrigin + performance.now() + 500;
  const schedule: E2eSchedule = { t0, from: t0 + window.warmupMs, until: t0 + window.warmupMs + window.durationMs };
  receiver.send({ type: 'schedule', schedule });
  return { load, receiver, shape, t0 };
}

/** CPU cores and RSS of each service between two calls. */
export class ServiceMeter {
  private cpu0: Record<string, number> = {};
  private at0 = 0;

  constructor(private readonly pids: Record<string, number>) {
    this.reset();
  }

  reset(): void {
    this.at0 = performance.now();
    this.cpu0 = Object.fromEntries(Object.entries(this.pids).map(([n, pid]) => [n, procCpuSeconds(pid)]));
  }

  cores(): Record<string, number> {
    const s = (performance.now() - this.at0) / 1000;
    return Object.fromEntries(
      Object.entries(this.pids).map(([n, pid]) => [
        n,
        Math.round(((procCpuSeconds(pid) - (this.cpu0[n] ?? 0)) / s) * 100) / 100,
      ]),
    );
  }

  rssMb(): Record<string, number> {
    return Object.fromEntries(Object.entries(this.pids).map(([n, pid]) => [n, Math.round(procRss(pid) / 1e5) / 10]));
  }
}
