import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { cloudEventHeaders, kafkaTopics, type MetricsReceived } from '@wattstream/contracts';
import { freePort } from '@wattstream/infra';
import { tempDir } from '@wattstream/infra/testing';
import { createKafka, createLogger, createProducer, loadTokenKeys } from '@wattstream/platform';
import WebSocket from 'ws';
import { mintUserToken } from '../src/token.js';
import { streamTopics } from '../src/topics.js';

export interface LatencyOptions {
  brokers: string[];
  /** samples per second over all athletes */
  samplesPerSec?: number;
  athletes?: number;
  durationMs?: number;
}

export interface LatencyResult {
  samplesPerSec: number;
  athletes: number;
  measured: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

const REPO = join(import.meta.dirname, '..', '..');

/**
 * Kafka-to-browser latency of the stream part: samples stamped with the wall time are produced to
 * `tracking.metrics.received` (as ingest would, one record per sample), the worker and the live
 * server run as their own processes, and a WebSocket client following every athlete records, for
 * each stats frame, now − ts of the newest sample in it. Coalescing to 4/s per athlete is part of
 * what is measured.
 */
export async function benchLatency(o: LatencyOptions): Promise<LatencyResult> {
  const rate = o.samplesPerSec ?? 10_000;
  const athletes = o.athletes ?? 200;
  const durationMs = o.durationMs ?? 10_000;
  const prefix = `lat-${Date.now().toString(36)}.`;
  const topics = streamTopics(prefix);
  const dataDir = tempDir('latency');
  const port = await freePort();
  const workerPort = await freePort();
  const env = {
    ...process.env,
    KAFKA_BROKERS: o.brokers.join(','),
    STREAM_TOPIC_PREFIX: prefix,
    STREAM_GROUP_ID: `${prefix}g`,
    STREAM_INSTANCE_ID: 'lat',
    STREAM_HTTP_PORT: String(workerPort),
    STREAM_PARTITIONS: '2',
    DATA_DIR: dataDir,
    LIVE_PORT: String(port),
    LIVE_HOST: '127.0.0.1',
    LIVE_MAX_SUBSCRIPTIONS: String(athletes),
    LOG_LEVEL: 'warn',
  };
  const spawnCli = (cmd: string): ChildProcess =>
    spawn(
      process.execPath,
      [
        '--conditions=source',
        '--import',
        'tsx',
        ...(process.env.BENCH_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF_DIR}`] : []),
        'stream/src/cli.ts',
        cmd,
      ],
      {
        cwd: REPO,
        env,
        stdio: ['ignore', process.env.BENCH_DEBUG ? 'inherit' : 'ignore', 'inherit'],
      },
    );
  const logger = createLogger('latency', 'warn');
  const kafka = createKafka({ brokers: o.brokers, clientId: 'latency', logger });
  const producer = createProducer(kafka);
  await producer.connect();
  const worker = spawnCli('work');
  await new Promise((r) => setTimeout(r, 3000));
  const live = spawnCli('live');
  try {
    const keys = loadTokenKeys(
      { jwtPrivateKey: undefined, jwtPublicKey: undefined, jwtAlg: 'EdDSA', jwtIssuer: 'wattstream' },
      dataDir,
    );
    const token = await mintUserToken(keys, { user: 'bench', roles: ['admin'] });
    let ws: WebSocket | undefined;
    for (let i = 0; i < 100 && ws === undefined; i++) {
      ws = await new Promise<WebSocket | undefined>((resolve) => {
        const c = new WebSocket(`ws://127.0.0.1:${port}/v1/live?access_token=${token}`);
        c.once('open', () => resolve(c));
        c.once('error', () => setTimeout(() => resolve(undefined), 200));
      });
    }
    if (!ws) throw new Error('live server did not come up');
    const latencies: number[] = [];
    let measuring = false;
    ws.on('message', (data) => {
      const now = Date.now();
      const msg = JSON.parse(data.toString()) as { type: string; data?: { ts: number } };
      if (measuring && msg.type === 'stats' && msg.data) latencies.push(now - msg.data.ts);
    });
    for (let a = 0; a < athletes; a++) ws.send(JSON.stringify({ type: 'subscribe', channel: `athlete:lat${a}` }));

    // produce in 50 ms ticks: rate/20 samples per tick, round-robin over the athletes
    const perTick = Math.max(1, Math.round(rate / 20));
    const seqs = new Array<number>(athletes).fill(0);
    let next = 0;
    const t0 = Date.now();
    let produced = 0;
    while (Date.now() - t0 < durationMs) {
      const tickStart = Date.now();
      if (tickStart - t0 > 2000) measuring = true;
      const messages = [];
      for (let k = 0; k < perTick; k++) {
        const a = next++ % athletes;
        const seq = seqs[a] ?? 0;
        seqs[a] = seq + 1;
        const value: MetricsReceived = {
          athleteId: `lat${a}`,
          deviceId: `d${a}`,
          edgeId: 'e1',
          seq,
          samples: [{ ts: Date.now(), power: 200 + (seq % 50), hr: 140 }],
        };
        messages.push({
          key: value.athleteId,
          value: JSON.stringify(value),
          headers: cloudEventHeaders({
            type: kafkaTopics.metricsReceived.name,
            id: `d${a}:${seq}`,
            source: '/edges/e1',
          }),
        });
      }
      await producer.send({ topic: topics.metrics, acks: -1, messages });
      produced += messages.length;
      const wait = 50 - (Date.now() - tickStart);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    await new Promise((r) => setTimeout(r, 1000));
    ws.terminate();
    if (process.env.BENCH_DEBUG) {
      const text = await (await fetch(`http://127.0.0.1:${workerPort}/metrics`)).text();
      console.error(
        text
          .split('\n')
          .filter((l) => /^wattstream_stream_(commit|batch|stats|records|snapshots)/.test(l) && !l.includes('bucket'))
          .join('\n'),
      );
    }
    latencies.sort((x, y) => x - y);
    const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? Number.NaN;
    return {
      samplesPerSec: Math.round(produced / (durationMs / 1000)),
      athletes,
      measured: latencies.length,
      p50Ms: q(0.5),
      p90Ms: q(0.9),
      p99Ms: q(0.99),
      maxMs: latencies.at(-1) ?? Number.NaN,
    };
  } finally {
    const exited = Promise.all([worker, live].map((c) => new Promise((r) => c.once('exit', r))));
    worker.kill('SIGTERM');
    live.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
    await producer.disconnect();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
