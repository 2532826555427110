import {
  batchContentHash,
  canonicalSampleBatch,
  cloudEventHeaders,
  kafkaTopics,
  type MetricsReceived,
  metricsReceivedCeId,
  type Sample,
} from '@wattstream/contracts';
import type { KafkaMessage } from '@wattstream/platform';
import { createConsumer, createKafka, createLogger, type Producer } from '@wattstream/platform';
import type { Kafka } from '../../src/compacted-reader.js';

export const testLogger = createLogger('stream-test', process.env.TEST_LOG_LEVEL ?? 'warn');

export function testKafka(clientId = 'stream-test'): Kafka {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) throw new Error('KAFKA_BROKERS is not set: run the tests through vitest (global setup)');
  return createKafka({ brokers: brokers.split(','), clientId, logger: testLogger });
}

/** A unique topic prefix, so test files do not see each other's records on the shared Kafka. */
export const uniquePrefix = (name: string) =>
  `t-${name}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}.`;

/**
 * Produces samples as ingest does: `tracking.metrics.received` records keyed by athleteId, value
 * `MetricsReceived`, CloudEvents headers with the contract's `ce_id` (content hash included).
 */
export async function produceSamples(
  producer: Producer,
  topic: string,
  opts: {
    athleteId: string;
    deviceId: string;
    edgeId?: string;
    samples: Sample[];
    batchSize?: number;
    seq?: number;
    /** explicit partition (tests that need riders on given partitions) */
    partition?: number;
  },
): Promise<number> {
  const batchSize = opts.batchSize ?? 10;
  let seq = opts.seq ?? 0;
  const messages = [];
  for (let i = 0; i < opts.samples.length; i += batchSize) {
    const value: MetricsReceived = {
      athleteId: opts.athleteId,
      deviceId: opts.deviceId,
      edgeId: opts.edgeId ?? 'edge-1',
      seq,
      samples: opts.samples.slice(i, i + batchSize),
    };
    messages.push({
      key: opts.athleteId,
      ...(opts.partition === undefined ? {} : { partition: opts.partition }),
      value: JSON.stringify(value),
      headers: cloudEventHeaders({
        type: kafkaTopics.metricsReceived.name,
        id: metricsReceivedCeId(opts.athleteId, opts.deviceId, seq, batchContentHash(canonicalSampleBatch(value))),
        source: `/edges/${value.edgeId}`,
      }),
    });
    seq++;
  }
  for (let i = 0; i < messages.length; i += 500) {
    await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 500) });
  }
  return seq;
}

/** Collects every record of a topic (read_committed) from the beginning, until stopped. */
export async function collect(kafka: Kafka, topic: string) {
  const records: { key: string; value: unknown; headers: Record<string, string>; message: KafkaMessage }[] = [];
  const consumer = createConsumer(kafka, {
    groupId: `collect-${Math.random().toString(36).slice(2)}`,
    maxWaitTimeInMs: 100,
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
      records.push({
        key: message.key?.toString() ?? '',
        value: message.value ? JSON.parse(message.value.toString()) : null,
        headers,
        message,
      });
    },
  });
  return { records, stop: () => consumer.disconnect() };
}

/** Polls `check` until it returns a truthy value. */
export async function waitFor<T>(
  check: () => T | undefined | false | null | Promise<T | undefined | false | null>,
  timeoutMs = 30_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
