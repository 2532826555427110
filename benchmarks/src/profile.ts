#!/usr/bin/env node
/**
 * `pnpm profile <service>`: runs one wattstream service (from `dist/`, as deployed) under
 * Clinic.js — `clinic flame` (sampled stacks → flame graph) and/or `clinic doctor` (CPU, memory,
 * event-loop delay, handles → a diagnosis) — while a load runs against it, stops it after the
 * duration and prints the path of each HTML report. Kafka and QuestDB: the ones in
 * `KAFKA_BROKERS` / `QUESTDB_HTTP` when set, otherwise private ones for the run.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { kafkaTopics, TOPIC } from '@wattstream/contracts';
import { freePort, repoRoot } from '@wattstream/infra';
import { startMosquitto, tempDir } from '@wattstream/infra/testing';
import { httpReady } from '@wattstream/launcher';
import { isWattstreamError, parseDuration } from '@wattstream/platform';
import { Command, InvalidArgumentError } from 'commander';
import { Child, distFile } from './child.js';
import { BenchContext, SharedInfra } from './context.js';
import { capacityLoad, MqttLoad } from './load/mqtt-driver.js';
import type { StatsProducerConfig } from './load/stats-producer.js';
import type { WsClientsMsg } from './load/ws-clients.js';
import { sleep } from './proc.js';
import {
  edgeConnections,
  ensureMetricsTopic,
  INGEST_BENCH_ENV,
  INGEST_NODE_FLAGS,
  liveToken,
  prefillTopic,
  scratch,
} from './services.js';

export const PROFILED_SERVICES = ['ingest', 'sink', 'stream-worker', 'live', 'edge'] as const;
export type ProfiledService = (typeof PROFILED_SERVICES)[number];
export type ClinicTool = 'flame' | 'doctor';

const clinicBin = createRequire(import.meta.url).resolve('clinic/bin.js');

interface Target {
  pkg: string;
  args: string[];
  env: Record<string, string>;
  nodeArgs: string[];
  /** where the service answers 200 once it is ready */
  ready: { port: number; path: string };
  /** starts the load once the service is ready; returns its stop */
  load: () => Promise<() => Promise<void>>;
}

/** What runs under Clinic, with its environment and its load, per service. */
async function target(ctx: BenchContext, service: ProfiledService, durationMs: number): Promise<Target> {
  const dataDir = scratch(ctx.scratchDir(), `profile-${service}`);
  if (service === 'edge') {
    const broker = await startMosquitto();
    ctx.onCleanup(() => broker.destroy());
    const port = await freePort();
    return {
      pkg: 'edge',
      args: ['simulate', '--athletes', '25'],
      env: {
        MQTT_URL: broker.url,
        EDGE_ID: 'profile-edge',
        EDGE_TOKEN: 'unused-by-mosquitto',
        DATA_DIR: dataDir,
        EDGE_HTTP_PORT: String(port),
      },
      nodeArgs: [],
      ready: { port, path: '/readyz' },
      // the simulated fleet (50 sensors at 4 Hz) is the load
      load: async () => async () => {},
    };
  }
  const { env } = await ctx.infra();
  const brokers = env.KAFKA_BROKERS!;
  const shared = { KAFKA_BROKERS: brokers, QUESTDB_HTTP: env.QUESTDB_HTTP!, DATA_DIR: dataDir };
  if (service === 'ingest') {
    const ports = { MQTT_PORT: await freePort(), MQTT_WS_PORT: await freePort(), INGEST_HTTP_PORT: await freePort() };
    const { conns } = await edgeConnections(dataDir, {
      edges: 16,
      athletesPerEdge: 1,
      prefix: 'pr',
      credentials: true,
    });
    return {
      pkg: 'ingest',
      args: ['serve'],
      env: {
        ...shared,
        ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
        ...INGEST_BENCH_ENV,
      },
      nodeArgs: INGEST_NODE_FLAGS,
      ready: { port: ports.INGEST_HTTP_PORT, path: '/readyz' },
      load: async () => {
        const load = await MqttLoad.connect(
          ctx,
          'ingest load',
          capacityLoad(`mqtt://127.0.0.1:${ports.MQTT_PORT}`, conns),
        );
        const done = load.run(durationMs, 0, 'load');
        return async () => {
          await done;
          await load.stop();
        };
      },
    };
  }
  if (service === 'sink') {
    await ensureMetricsTopic(brokers, TOPIC.metricsReceived);
    await prefillTopic(ctx, {
      brokers,
      topic: TOPIC.metricsReceived,
      records: Math.round((durationMs / 1000) * 2000),
      samplesPerRecord: 100,
      athletes: 1000,
      athletePrefix: `pr${Date.now().toString(36)}-`,
      t0: Date.UTC(2025, 8, 1),
    });
    const port = await freePort();
    return {
      pkg: 'ingest',
      args: ['sink'],
      env: { ...shared, SINK_HTTP_PORT: String(port), SINK_GROUP: `profile-sink-${Date.now()}` },
      nodeArgs: [],
      ready: { port, path: '/healthz' },
      load: async () => async () => {},
    };
  }
  const prefix = `prof${Date.now().toString(36)}.`;
  if (service === 'stream-worker') {
    const topic = prefix + kafkaTopics.metricsReceived.name;
    await ensureMetricsTopic(brokers, topic);
    await prefillTopic(ctx, {
      brokers,
      topic,
      records: Math.round((durationMs / 1000) * 30_000),
      samplesPerRecord: 10,
      athletes: 1000,
      athletePrefix: 'pr-a',
      t0: Date.now() - 3_600_000,
    });
    const port = await freePort();
    return {
      pkg: 'stream',
      args: ['work'],
      env: {
        ...shared,
        STREAM_TOPIC_PREFIX: prefix,
        STREAM_GROUP_ID: `${prefix}w`,
        STREAM_INSTANCE_ID: 'profile',
        STREAM_HTTP_PORT: String(port),
      },
      nodeArgs: [],
      ready: { port, path: '/healthz' },
      load: async () => async () => {},
    };
  }
  // live: stats for 1000 athletes at 4 Hz from Kafka, 1000 WebSocket subscribers × 10 channels
  const port = await freePort();
  const athletes = Array.from({ length: 1000 }, (_, i) => `a${i}`);
  return {
    pkg: 'stream',
    args: ['live'],
    env: {
      ...shared,
      STREAM_TOPIC_PREFIX: prefix,
      LIVE_PORT: String(port),
      BIND_HOST: '127.0.0.1',
      LIVE_INSTANCE_ID: 'profile',
    },
    nodeArgs: [],
    ready: { port, path: '/healthz' },
    load: async () => {
      const producer = new Child('stats producer', distFile('load/stats-producer.js'));
      ctx.onCleanup(() => producer.stop());
      const cfg: StatsProducerConfig = { brokers, topic: prefix + kafkaTopics.statsUpdated.name, athletes, hz: 4 };
      producer.send({ type: 'config', config: cfg });
      await producer.next('running', 60_000);
      const clients = new Child<WsClientsMsg>('subscribers', distFile('load/ws-clients.js'));
      ctx.onCleanup(() => clients.stop());
      clients.send({
        type: 'config',
        config: {
          port,
          protocol: 'live',
          token: await liveToken(dataDir),
          subscribers: 1000,
          perSubscriber: 10,
          channels: 1000,
          probeEvery: 1000_000,
        },
      });
      await clients.next('ready', 120_000);
      return async () => {
        await clients.stop();
        await producer.stop();
      };
    },
  };
}

async function waitReady(
  port: number,
  path: string,
  proc: ChildProcess,
  output: () => string,
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`the profiled service exited during start:\n${output()}`);
    if (await httpReady(port, path)) return;
    if (Date.now() > deadline) throw new Error(`not ready within ${timeoutMs / 1000} s:\n${output()}`);
    await sleep(250);
  }
}

/** Runs one service under one Clinic tool with its load; returns the HTML report's path. */
export async function profileService(
  ctx: BenchContext,
  service: ProfiledService,
  tool: ClinicTool,
  o: { durationMs: number; dest: string },
): Promise<string> {
  const t = await target(ctx, service, o.durationMs);
  const cli = join(repoRoot(), t.pkg, 'dist', 'cli.js');
  const started = Date.now();
  let output = '';
  const clinic = spawn(
    process.execPath,
    [clinicBin, tool, '--open=false', '--dest', o.dest, '--', process.execPath, ...t.nodeArgs, cli, ...t.args],
    {
      cwd: repoRoot(),
      // its own process group: SIGINT to the group is what Ctrl-C does in a terminal
      detached: true,
      env: { ...process.env, LOG_LEVEL: 'warn', ...t.env, NO_INSIGHT: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const keep = (b: Buffer) => {
    output = (output + b.toString()).slice(-20_000);
  };
  clinic.stdout?.on('data', keep);
  clinic.stderr?.on('data', keep);
  const exited = new Promise<number>((r) => clinic.once('exit', (code) => r(code ?? 1)));
  const killGroup = (sig: NodeJS.Signals) => {
    try {
      process.kill(-(clinic.pid as number), sig);
    } catch {
      // already gone
    }
  };
  ctx.onCleanup(() => killGroup('SIGKILL'));
  await waitReady(t.ready.port, t.ready.path, clinic, () => output);
  ctx.log(`${service} under clinic ${tool}: load for ${o.durationMs / 1000} s …`);
  const stopLoad = await t.load();
  await sleep(o.durationMs);
  await stopLoad();
  ctx.log(`stopping ${service}; clinic ${tool} is analysing …`);
  killGroup('SIGINT');
  const timer = setTimeout(() => killGroup('SIGKILL'), 10 * 60_000);
  const code = await exited;
  clearTimeout(timer);
  const m = /([^\s'"]+\.clinic-(?:flame|doctor)\.html)/.exec(output);
  const html =
    m?.[1]?.replace(/^file:\/\//, '') ??
    readdirSync(o.dest)
      .filter((f) => f.endsWith(`.clinic-${tool}.html`))
      .map((f) => join(o.dest, f))
      .filter((f) => statSync(f).mtimeMs >= started)
      .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  if (!html) throw new Error(`clinic ${tool} exited with ${code} and wrote no report:\n${output.slice(-3000)}`);
  return resolve(repoRoot(), html);
}

const program = new Command('profile')
  .description(`Profile a service under load with Clinic.js. Services: ${PROFILED_SERVICES.join(', ')}.`)
  .argument('<service>', PROFILED_SERVICES.join(' | '))
  .option('--tool <tool>', 'flame, doctor or both', 'both')
  .option('--duration <time>', 'how long the load runs', '20s')
  .option('--dest <dir>', 'where Clinic writes its data and reports', '.clinic')
  .action(async (service: string, opts: { tool: string; duration: string; dest: string }) => {
    if (!(PROFILED_SERVICES as readonly string[]).includes(service)) {
      throw new InvalidArgumentError(`unknown service "${service}"; one of: ${PROFILED_SERVICES.join(', ')}`);
    }
    const tools: ClinicTool[] = opts.tool === 'both' ? ['flame', 'doctor'] : [opts.tool as ClinicTool];
    if (!tools.every((t) => t === 'flame' || t === 'doctor'))
      throw new InvalidArgumentError('--tool: flame, doctor or both');
    const durationMs = parseDuration(opts.duration);
    if (durationMs === undefined) throw new InvalidArgumentError('--duration: a duration such as 20s');
    const existing =
      process.env.KAFKA_BROKERS && process.env.QUESTDB_HTTP
        ? {
            env: { KAFKA_BROKERS: process.env.KAFKA_BROKERS, QUESTDB_HTTP: process.env.QUESTDB_HTTP },
            dir: tempDir('profile'),
          }
        : undefined;
    const shared = new SharedInfra(existing);
    const log = (m: string) => process.stderr.write(`profile: ${m}\n`);
    const dest = resolve(process.cwd(), opts.dest);
    try {
      for (const tool of tools) {
        const ctx = new BenchContext({ durationMs, warmupMs: 0, rate: undefined, smoke: false, log }, shared);
        try {
          const html = await profileService(ctx, service as ProfiledService, tool, { durationMs, dest });
          process.stdout.write(`${tool}: ${html}\n`);
        } finally {
          await ctx.cleanupBench();
        }
      }
    } finally {
      await shared.close();
      if (existing) rmSync(existing.dir, { recursive: true, force: true });
    }
  });

if (process.argv[1] && resolve(process.argv[1]) === distFile('profile.js')) {
  program.parseAsync(process.argv).catch((err: unknown) => {
    process.stderr.write(`profile: ${isWattstreamError(err) ? `error ${err.code}: ` : ''}${(err as Error).message}\n`);
    process.exitCode = 1;
  });
}
