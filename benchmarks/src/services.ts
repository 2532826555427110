import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { kafkaTopics } from '@wattstream/contracts';
import { freePort } from '@wattstream/infra';
import { mintEdgeToken, tokenConfig } from '@wattstream/ingest';
import {
  createKafka,
  createLogger,
  ensureTopics,
  loadConfig,
  loadTokenKeys,
  signToken,
  TOKEN_AUDIENCE,
} from '@wattstream/platform';
import { Child, distFile } from './child.js';
import type { BenchContext } from './context.js';
import type { MqttConnSpec } from './load/mqtt-load.js';
import type { PrefillConfig, PrefillMsg } from './load/prefill.js';
import { ServiceProcess, type ServiceSpec } from './proc.js';

/** The V8 heap flags ingest's README recommends for production (RSS ~150 MB at full load). */
export const INGEST_NODE_FLAGS = ['--max-old-space-size=128', '--max-semi-space-size=8'];

let scratchSeq = 0;

/** A fresh folder under the run's scratch folder. */
export function scratch(dir: string, name: string): string {
  const d = join(dir, `${name}-${process.pid}-${++scratchSeq}`);
  mkdirSync(d, { recursive: true });
  return d;
}

export interface IngestUnderTest {
  svc: ServiceProcess;
  mqttUrl: string;
  dataDir: string;
}

/** How the benchmarks run `ingest serve`: MQTT on loopback, the per-edge rate limit lifted. */
export const INGEST_BENCH_ENV = { MQTT_HOST: '127.0.0.1', MQTT_PUBLISH_RATE: '1000000', MQTT_PUBLISH_BURST: '1000000' };

/**
 * `ingest serve` from `dist/` as deployed (recommended heap flags), pinned to the SUT core, on
 * free ports, against the benchmark's Kafka; the per-edge rate limit lifted so it does not cap
 * the measurement.
 */
export async function startIngest(
  ctx: BenchContext,
  env: Record<string, string>,
  dataDir: string,
  extraEnv: Record<string, string> = {},
  /** Another build of ingest (an absolute package folder), e.g. a baseline commit's. */
  pkg = 'ingest',
): Promise<IngestUnderTest> {
  const mqttPort = await freePort();
  const svc = await startService(ctx, {
    name: 'ingest',
    pkg,
    args: ['serve'],
    portEnv: 'INGEST_HTTP_PORT',
    env: {
      KAFKA_BROKERS: env.KAFKA_BROKERS!,
      DATA_DIR: dataDir,
      INGEST_INSTANCE: 'bench',
      ...INGEST_BENCH_ENV,
      MQTT_PORT: String(mqttPort),
      MQTT_WS_PORT: String(await freePort()),
      ...extraEnv,
    },
    nodeArgs: INGEST_NODE_FLAGS,
    logDir: dataDir,
  });
  return { svc, mqttUrl: `mqtt://127.0.0.1:${mqttPort}`, dataDir };
}

/**
 * A service under test from `dist/`: its health port (`portEnv`) on a free port, pinned to the
 * system-under-test core, stopped when the benchmark ends; resolves once it is ready.
 */
export async function startService(
  ctx: BenchContext,
  spec: Omit<ServiceSpec, 'healthPort' | 'pin'> & { portEnv: string },
): Promise<ServiceProcess> {
  const { portEnv, ...rest } = spec;
  const healthPort = await freePort();
  const svc = new ServiceProcess({
    ...rest,
    env: { ...rest.env, [portEnv]: String(healthPort) },
    healthPort,
    pin: ctx.pin('sut'),
  });
  ctx.onCleanup(() => svc.stop());
  await svc.start();
  return svc;
}

/**
 * MQTT connections as edges of the contract: edge `e` publishes for its athletes on
 * `v1/samples/{athlete}/{device}`, username = edgeId, password = an edge token signed with the
 * key under `dataDir` (the one ingest verifies with). Mint before ingest starts, so the
 * development key is created once.
 */
export async function edgeConnections(
  dataDir: string,
  o: { edges: number; athletesPerEdge: number; prefix: string; credentials: boolean },
): Promise<{ conns: MqttConnSpec[]; athletes: string[] }> {
  const cfg = loadConfig(tokenConfig, { DATA_DIR: dataDir });
  const conns: MqttConnSpec[] = [];
  const athletes: string[] = [];
  for (let e = 0; e < o.edges; e++) {
    const edgeId = `${o.prefix}-edge-${e}`;
    const mine = Array.from({ length: o.athletesPerEdge }, (_, k) => `${o.prefix}-a${e * o.athletesPerEdge + k}`);
    athletes.push(...mine);
    conns.push({
      clientId: edgeId,
      ...(o.credentials
        ? { username: edgeId, password: await mintEdgeToken(cfg, { edge: edgeId, athletes: mine, ttl: '12h' }) }
        : {}),
      topics: mine.map((a) => `v1/samples/${a}/${a}-pm`),
    });
  }
  return { conns, athletes };
}

/** A user token for the live server (admin: may follow every channel), signed with the key under `dataDir`. */
export function liveToken(dataDir: string, user = 'bench'): Promise<string> {
  const keys = loadTokenKeys(
    { jwtPrivateKey: undefined, jwtPublicKey: undefined, jwtAlg: 'EdDSA', jwtIssuer: 'wattstream' },
    dataDir,
  );
  return signToken(keys, {
    subject: user,
    audience: TOKEN_AUDIENCE.user,
    ttlMs: 24 * 3_600_000,
    claims: { roles: ['admin'], watch: [] },
  });
}

/** Fills a topic with unique `tracking.metrics.received` records (a pinned child process). */
export async function prefillTopic(ctx: BenchContext, config: PrefillConfig): Promise<number> {
  const child = new Child<PrefillMsg>('prefill', distFile('load/prefill.js'), {
    pin: ctx.pin('load'),
  });
  ctx.onCleanup(() => child.stop());
  const t0 = performance.now();
  child.send({ type: 'config', config });
  const done = await child.next('done', 15 * 60_000);
  await child.stop();
  ctx.log(
    `prefilled ${config.topic}: ${done.sent} records × ${config.samplesPerRecord} samples in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  return done.sent;
}

/** Creates a topic like `tracking.metrics.received` (contract configs) when missing. */
export async function ensureMetricsTopic(brokers: string, topic: string, partitions = 6): Promise<void> {
  const kafka = createKafka({ brokers: brokers.split(','), clientId: 'bench', logger: createLogger('bench', 'warn') });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, [{ name: topic, configs: kafkaTopics.metricsReceived.configs, partitions }]);
  } finally {
    await admin.disconnect();
  }
}

/** A topic like `tracking.metrics.received` for one run (`bench.<name>.<time>`), deleted at cleanup. */
export async function scratchMetricsTopic(ctx: BenchContext, brokers: string, name: string): Promise<string> {
  const topic = `bench.${name}.${Date.now()}`;
  const kafka = createKafka({ brokers: brokers.split(','), clientId: 'bench', logger: createLogger('bench', 'warn') });
  const admin = kafka.admin();
  await admin.connect();
  ctx.onCleanup(async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await admin.disconnect();
  });
  await ensureTopics(admin, [{ name: topic, configs: kafkaTopics.metricsReceived.configs, partitions: 6 }]);
  return topic;
}

/**
 * Runs a scenario from `<pkg>/bench/*.ts` (see load/scenario.ts) in its own process under tsx
 * and returns what its function returned.
 */
export async function runScenario<T>(
  ctx: BenchContext,
  o: { file: string; fn: string; args: unknown[]; pin?: string[]; nodeArgs?: string[]; timeoutMs?: number },
): Promise<T> {
  const child = new Child<{ type: 'done'; result: T } | { type: 'error'; message: string }>(
    `${o.file}#${o.fn}`,
    distFile('load/scenario.js'),
    {
      args: [o.file, o.fn],
      nodeArgs: ['--conditions=source', '--import', 'tsx', ...(o.nodeArgs ?? [])],
      ...(o.pin ? { pin: o.pin } : {}),
    },
  );
  ctx.onCleanup(() => child.stop());
  child.send({ type: 'config', args: o.args });
  const done = await child.next('done', o.timeoutMs ?? 10 * 60_000);
  return done.result;
}
