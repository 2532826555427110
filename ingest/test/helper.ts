import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tempDir } from '@wattstream/infra/testing';
import {
  createConsumer,
  createKafka,
  createLogger,
  headerString,
  type KafkaMessage,
  type Logger,
  loadConfig,
} from '@wattstream/platform';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { inject } from 'vitest';
import { type Ingest, startIngest } from '../src/serve.js';
import { mintEdgeToken, tokenConfig } from '../src/token.js';

export const quiet: Logger = createLogger('test', process.env.TEST_LOG_LEVEL ?? 'silent');

/** A short random id suffix, so tests sharing one Kafka never read each other's records. */
export const uid = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

export const kafkaBrokers = () => inject('infra').KAFKA_BROKERS ?? process.env.KAFKA_BROKERS ?? '';

export interface TestIngest extends Ingest {
  dataDir: string;
  env: Record<string, string>;
  token(edge: string, athletes: string[], ttl?: string): Promise<string>;
  stop(): Promise<void>;
}

/** An in-process `ingest serve` on free ports with its own DATA_DIR (dev key). */
export async function startTestIngest(env: Record<string, string> = {}): Promise<TestIngest> {
  const dataDir = tempDir('ingest');
  const fullEnv: Record<string, string> = {
    KAFKA_BROKERS: kafkaBrokers(),
    DATA_DIR: dataDir,
    MQTT_HOST: '127.0.0.1',
    MQTT_PORT: '0',
    MQTT_WS_PORT: '0',
    MQTT_TLS_PORT: '0',
    INGEST_HTTP_PORT: '0',
    INGEST_INSTANCE: uid('test'),
    LOG_LEVEL: 'silent',
    ...env,
  };
  const ingest = await startIngest(fullEnv);
  const tokenCfg = loadConfig(tokenConfig, fullEnv);
  return Object.assign(ingest, {
    dataDir,
    env: fullEnv,
    token: (edge: string, athletes: string[], ttl = '1h') => mintEdgeToken(tokenCfg, { edge, athletes, ttl }),
    stop: async () => {
      await ingest.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  });
}

/** Connects an MQTT 3.1.1 client and waits for CONNACK (rejects with the refusal). */
export function connectEdge(url: string, opts: IClientOptions): Promise<MqttClient> {
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(url, {
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: 5000,
      ...opts,
    });
    client.once('connect', () => resolve(client));
    client.once('error', (err) => {
      client.end(true);
      reject(err);
    });
  });
}

/** Waits for the next message on `topic` (the client must already be subscribed). */
export function nextMessage(client: MqttClient, topic: string, timeoutMs = 10_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('message', onMessage);
      reject(new Error(`no message on ${topic} within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (t: string, payload: Buffer) => {
      if (t !== topic) return;
      clearTimeout(timer);
      client.off('message', onMessage);
      resolve(payload);
    };
    client.on('message', onMessage);
  });
}

/**
 * Reads a topic from the beginning to its current end (high watermark of every partition at
 * the time of the call) and returns the records that match. Deterministic "nothing reached
 * Kafka" checks need the end, not a timeout.
 */
export async function readToEnd(
  brokers: string,
  topic: string,
  match: (m: KafkaMessage) => boolean = () => true,
  timeoutMs = 30_000,
): Promise<KafkaMessage[]> {
  const kafka = createKafka({ brokers: brokers.split(','), clientId: 'ingest-test-reader', logger: quiet });
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const remaining = new Map<number, bigint>();
  for (const e of ends) if (BigInt(e.high) > BigInt(e.low)) remaining.set(e.partition, BigInt(e.high));
  const got: KafkaMessage[] = [];
  if (remaining.size === 0) return got;
  const consumer = createConsumer(kafka, { groupId: uid('reader'), maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`readToEnd(${topic}) timed out; partitions left: ${[...remaining.keys()]}`)),
        timeoutMs,
      );
      void consumer.run({
        autoCommit: false,
        eachMessage: async ({ partition, message }) => {
          if (match(message)) got.push(message);
          const end = remaining.get(partition);
          if (end !== undefined && BigInt(message.offset) + 1n >= end) {
            remaining.delete(partition);
            if (remaining.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return got;
}

/** A header of a consumed record as text. */
export const header = (m: KafkaMessage, name: string) => headerString(m.headers, name);

/** `deviceId:seq` of the batch in each `tracking.metrics.received` record (redeliveries count once). */
export function batchIds(records: KafkaMessage[]): Set<string> {
  return new Set(
    records
      .map((m) => JSON.parse(m.value!.toString()) as { deviceId: string; seq: number })
      .map((v) => `${v.deviceId}:${v.seq}`),
  );
}

/**
 * The batches these publishers saw acknowledged that are not among the `tracking.metrics.received`
 * records, as `deviceId:seq`: what a PUBACK promised and Kafka does not have. Must be none.
 */
export function ackedButMissing(publishers: Publisher[], records: KafkaMessage[]): string[] {
  const inKafka = batchIds(records);
  return publishers.flatMap((p) => [...p.acked].map((seq) => `${p.deviceId}:${seq}`).filter((id) => !inKafka.has(id)));
}

/** A valid batch of `n` samples starting at `t0`. */
export function batch(seq: number, n = 3, t0 = 1_764_000_000_000 + seq * 10_000) {
  return {
    seq,
    samples: Array.from({ length: n }, (_, i) => ({ ts: t0 + i * 250, power: 200 + (i % 50), cadence: 90.5, hr: 140 })),
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export { waitFor as until } from '@wattstream/testkit';

export const questdbHttp = () => inject('infra').QUESTDB_HTTP ?? process.env.QUESTDB_HTTP ?? '';

/** An in-process `ingest sink` with its own consumer group. */
export async function startTestSink(env: Record<string, string> = {}) {
  const { startSink } = await import('../src/sink/sink.js');
  return startSink({
    KAFKA_BROKERS: kafkaBrokers(),
    QUESTDB_HTTP: questdbHttp(),
    SINK_HTTP_PORT: '0',
    SINK_GROUP: uid('sink'),
    INGEST_INSTANCE: uid('sink'),
    LOG_LEVEL: 'silent',
    ...env,
  });
}

/**
 * An edge-like QoS 1 publisher: persistent session, stable client id, reconnects, keeps at most
 * `window` publishes in flight, and records which (deviceId, seq) got a PUBACK.
 */
export class Publisher {
  readonly acked = new Set<number>();
  readonly client: MqttClient;
  private nextSeq = 0;
  private inFlight = 0;

  constructor(
    url: string,
    readonly edgeId: string,
    token: string,
    readonly athleteId: string,
    readonly deviceId: string,
    opts: { samples?: number; reconnectPeriod?: number } = {},
  ) {
    this.samples = opts.samples ?? 10;
    this.client = mqtt.connect(url, {
      protocolVersion: 4,
      clientId: `${edgeId}:${deviceId}`,
      username: edgeId,
      password: token,
      clean: false,
      reconnectPeriod: opts.reconnectPeriod ?? 300,
      connectTimeout: 5000,
      keepalive: 60,
    });
    this.client.on('error', () => {});
  }

  private readonly samples: number;

  get inFlightCount(): number {
    return this.inFlight;
  }

  /** Publishes seq 0…count-1 (continuing where it stopped), resolves when all are acknowledged. */
  run(count: number, window = 5): Promise<void> {
    return new Promise((resolve) => {
      const pump = () => {
        while (this.inFlight < window && this.nextSeq < count) {
          const seq = this.nextSeq++;
          this.inFlight++;
          this.client.publish(
            `v1/samples/${this.athleteId}/${this.deviceId}`,
            JSON.stringify(batch(seq, this.samples)),
            { qos: 1 },
            (err) => {
              this.inFlight--;
              if (!err) this.acked.add(seq);
              if (this.acked.size >= count) resolve();
              else pump();
            },
          );
        }
      };
      pump();
    });
  }

  end(): Promise<void> {
    return this.client.endAsync(true).catch(() => {});
  }
}
