import { createProducer, type Producer } from '@wattstream/platform';
import { afterAll, describe, expect, it } from 'vitest';
import { type StreamWorker, startWorker } from '../src/worker.js';
import { collect, produceSamples, testEnv, testKafka, uniquePrefix, waitFor } from './helpers/kafka.js';

// A ride ends while no worker runs (deploy, crash): when a worker takes the partition over, no
// more input arrives on it. The open session must still end after the silence — the partition's
// state has to be restored without waiting for a record that never comes.

describe('stream worker on an idle partition', () => {
  const kafka = testKafka('worker-idle-test');
  const prefix = uniquePrefix('idle');
  const env = {
    ...process.env,
    STREAM_TOPIC_PREFIX: prefix,
    STREAM_GROUP_ID: `${prefix}workers`,
    STREAM_INSTANCE_ID: 'idle',
    STREAM_PARTITIONS: '1',
    STREAM_HTTP_PORT: '0',
    STREAM_SESSION_GAP: '3s',
    STREAM_COMMIT_INTERVAL: '200ms',
    STREAM_KAFKA_SESSION_TIMEOUT: '6s',
  };
  let producer: Producer | undefined;
  let worker: StreamWorker | undefined;
  afterAll(async () => {
    await worker?.stop();
    await producer?.disconnect();
  });

  it('completes the open session of a ride whose last sample came before the takeover', async () => {
    const cfg = testEnv(env);
    worker = await startWorker(cfg);
    producer = createProducer(kafka);
    await producer.connect();
    const t0 = Date.now();
    const samples = Array.from({ length: 40 }, (_, i) => ({ ts: t0 - 40_000 + i * 1000, power: 200 + i }));
    await produceSamples(producer, worker.topics.metrics, { athleteId: 'lone', deviceId: 'pm', samples });
    const first = worker;
    await waitFor(() => first.processor.counters.records >= 4, 30_000, 'ride applied');
    await first.commit();
    await first.stop(); // session still open: the gap has not passed
    const completed = await collect(kafka, worker.topics.completed);
    try {
      expect(completed.records).toHaveLength(0);
      worker = await startWorker(cfg);
      await waitFor(() => completed.records.some((r) => r.key === 'lone'), 30_000, 'session completed after takeover');
      const summary = completed.records.find((r) => r.key === 'lone')?.value as { avgPower: number; samples: number };
      expect(summary.samples).toBe(40);
      expect(summary.avgPower).toBeCloseTo(219.5, 5);
    } finally {
      await completed.stop();
    }
  }, 90_000);
});
