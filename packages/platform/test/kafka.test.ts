import { cloudEventHeaders, kafkaTopics, type MetricsReceived, parseCloudEventHeaders } from '@wattstream/contracts';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  CompressionTypes,
  createConsumer,
  createKafka,
  createLogger,
  createProducer,
  describeCluster,
  ensureTopics,
  headerString,
  isWattstreamError,
  type KafkaMessage,
} from '../src/index.js';

const logger = createLogger('test', 'warn');
const brokers = [inject('infra').KAFKA_BROKERS ?? ''];
const kafka = createKafka({ brokers, clientId: 'platform-test', logger });
const admin = kafka.admin();
const topic = { name: `test.metrics.${Date.now()}`, configs: kafkaTopics.metricsReceived.configs, partitions: 3 };

beforeAll(async () => {
  await admin.connect();
  expect(await ensureTopics(admin, [topic], { logger })).toEqual([topic.name]);
});
afterAll(async () => {
  await admin.deleteTopics({ topics: [topic.name] }).catch(() => {});
  await admin.disconnect();
});

async function consumeOne(groupId: string, n: number): Promise<KafkaMessage[]> {
  const consumer = createConsumer(kafka, { groupId });
  const got: KafkaMessage[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic: topic.name, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${got.length}/${n} records`)), 20_000);
    void consumer.run({
      eachMessage: async ({ message }) => {
        got.push(message);
        if (got.length >= n) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return got;
}

describe('Kafka module against a real Kafka 4 broker', () => {
  it('describes the cluster', async () => {
    expect(await describeCluster(kafka)).toMatchObject({ brokers: 1 });
  });

  it('ensureTopics is idempotent and applies the contract configs', async () => {
    expect(await ensureTopics(admin, [topic])).toEqual([]);
    const configs = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: 2, name: topic.name, configNames: ['retention.ms', 'cleanup.policy'] }],
    });
    const entries = Object.fromEntries(configs.resources[0]!.configEntries.map((e) => [e.configName, e.configValue]));
    expect(entries).toEqual({ 'retention.ms': String(7 * 86_400_000), 'cleanup.policy': 'delete' });
  });

  it('round-trips a tracking.metrics.received record with CloudEvents headers, LZ4-compressed', async () => {
    const value: MetricsReceived = {
      athleteId: 'ath-1',
      deviceId: 'pm-7',
      edgeId: 'edge-3',
      seq: 42,
      samples: [
        { ts: 1_764_000_000_000, power: 250, cadence: 90.5 },
        { ts: 1_764_000_000_250, hr: 142, rr: [812, 798] },
      ],
    };
    const headers = cloudEventHeaders({
      type: kafkaTopics.metricsReceived.name,
      id: `${value.deviceId}:${value.seq}`,
      source: `/edges/${value.edgeId}`,
      time: 1_764_000_000_300,
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    });
    const producer = createProducer(kafka);
    await producer.connect();
    const [meta] = await producer.send({
      topic: topic.name,
      acks: -1,
      compression: CompressionTypes.LZ4,
      messages: [{ key: value.athleteId, value: JSON.stringify(value), headers }],
    });
    await producer.disconnect();
    expect(meta?.errorCode).toBe(0);

    const [msg] = await consumeOne(`g-${Date.now()}`, 1);
    expect(msg?.key?.toString()).toBe('ath-1');
    expect(JSON.parse(msg?.value?.toString() ?? 'null')).toEqual(value);
    expect(parseCloudEventHeaders(msg?.headers)).toEqual({
      specversion: '1.0',
      type: 'tracking.metrics.received',
      id: 'pm-7:42',
      source: '/edges/edge-3',
      time: '2025-11-24T16:00:00.300Z',
      contentType: 'application/json',
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    });
    expect(headerString(msg?.headers, 'ce_id')).toBe('pm-7:42');
  });

  it('ensureTopics resolves only when every partition has a leader, also for topics another client just created', async () => {
    const fresh = { name: `test.leaders.${Date.now()}`, configs: kafkaTopics.statsUpdated.configs, partitions: 12 };
    // Another client creates the topic without waiting; ensureTopics finds it and must still wait.
    await admin.createTopics({ waitForLeaders: false, topics: [{ topic: fresh.name, numPartitions: 12 }] });
    try {
      await ensureTopics(admin, [fresh]);
      const { topics } = await admin.fetchTopicMetadata({ topics: [fresh.name] });
      expect(topics[0]?.partitions).toHaveLength(12);
      expect(topics[0]?.partitions.every((p) => p.leader >= 0)).toBe(true);
    } finally {
      await admin.deleteTopics({ topics: [fresh.name] }).catch(() => {});
    }
  });

  it('reports an unreachable cluster with a coded, actionable error', async () => {
    const dead = createKafka({
      brokers: ['127.0.0.1:1'],
      clientId: 'dead',
      logger: createLogger('test', 'silent'),
      config: { retry: { retries: 0 }, connectionTimeout: 300 },
    });
    const err = await describeCluster(dead).catch((e: unknown) => e);
    expect(isWattstreamError(err, 'WS_KAFKA_UNAVAILABLE')).toBe(true);
    expect((err as Error).message).toContain('KAFKA_BROKERS');
  });
});
