import {
  batchContentHash,
  canonicalSampleBatch,
  cloudEventHeaders,
  kafkaTopics,
  type MetricsReceived,
  metricsReceivedCeId,
  type Sample,
} from '@wattstream/contracts';
import type { Producer } from '@wattstream/platform';

export { testKafka, testLogger } from '@wattstream/testkit';

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

export { collect, waitFor } from '@wattstream/testkit';

/** Settings of a service a test starts in-process: its logs at TEST_LOG_LEVEL (warn), every port free. */
export const testEnv = (env: Record<string, string | undefined>): Record<string, string | undefined> => ({
  LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
  ...env,
});
