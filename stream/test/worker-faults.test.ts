import type { MetricsReceived, TrainingCompleted } from '@wattstream/contracts';
import { startKafka, type TestKafka } from '@wattstream/infra/testing';
import { createKafka, createProducer, type Producer } from '@wattstream/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newOutbox, PartitionState, Processor } from '../src/processor.js';
import { type StreamWorker, startWorker } from '../src/worker.js';
import { readFitFile, toSamples } from './helpers/fit.js';
import { collect, testEnv, testLogger, uniquePrefix, waitFor } from './helpers/kafka.js';

// Kafka itself dies (SIGKILL) in the middle of a ride and comes back: the worker reconnects,
// redoes what was not committed, and the session comes out once, with the totals of an
// uninterrupted run. A private broker, so no other test is disturbed.

// Long enough that wall time cannot overtake the records' own arrival stamps while the broker
// restarts: a caught-up worker's clock follows wall time, and with a 30 s gap a slow restart on a
// busy machine ended the ride at its first half (seen once in a run, durationS 2349 of 4699).
const GAP_MS = 10 * 60_000;

describe('stream worker across a Kafka crash', () => {
  let k: TestKafka;
  let worker: StreamWorker | undefined;
  let producer: Producer;

  beforeAll(async () => {
    k = await startKafka();
  });
  afterAll(async () => {
    await worker?.stop();
    await producer?.disconnect().catch(() => {});
    await k?.destroy();
  });

  it('one started/completed pair with uninterrupted totals when the broker is killed mid-ride', async () => {
    const samples = toSamples(readFitFile('Edge810-Vector-2013-08-16-15-35-10.fit').records);
    const prefix = uniquePrefix('faults');
    const cfg = testEnv({
      ...process.env,
      KAFKA_BROKERS: k.brokers,
      STREAM_TOPIC_PREFIX: prefix,
      STREAM_GROUP_ID: `${prefix}g`,
      STREAM_INSTANCE_ID: 'faults',
      STREAM_PARTITIONS: '1',
      STREAM_HTTP_PORT: '0',
      STREAM_SESSION_GAP: `${GAP_MS}ms`,
      STREAM_COMMIT_INTERVAL: '200ms',
      STREAM_KAFKA_SESSION_TIMEOUT: '6s',
    });
    worker = await startWorker(cfg);
    const kafka = createKafka({ brokers: [k.brokers], clientId: 'faults-test', logger: testLogger });
    producer = createProducer(kafka);
    await producer.connect();
    const topics = worker.topics;
    // records stamped as if the ride arrived continuously (CreateTime), so the outage itself is
    // not a silence in arrival time
    const t0 = Date.now();
    const records = (from: number, to: number) =>
      Array.from({ length: Math.ceil((to - from) / 10) }, (_, i) => {
        const value: MetricsReceived = {
          athleteId: 'rider',
          deviceId: 'edge810',
          edgeId: 'e1',
          seq: from / 10 + i,
          samples: samples.slice(from + i * 10, Math.min(to, from + i * 10 + 10)),
        };
        return { key: 'rider', value: JSON.stringify(value), timestamp: String(t0 + from / 10 + i) };
      });
    const half = 2350;
    await producer.send({ topic: topics.metrics, acks: -1, messages: records(0, half) });
    const w = worker;
    // generous: the worker joins a group on a broker this test has just started, on a loaded machine
    await waitFor(() => w.processor.counters.records >= half / 10, 90_000, 'first half applied');
    await w.commit();

    k.node.service.kill('SIGKILL');
    await k.node.service.waitForExit();
    await new Promise((r) => setTimeout(r, 2000));
    await k.node.start();

    await producer.send({ topic: topics.metrics, acks: -1, messages: records(half, samples.length) });
    // a later record on the same partition moves the arrival clock past the gap: the ride ends
    await producer.send({
      topic: topics.metrics,
      acks: -1,
      messages: [
        {
          key: 'other',
          value: JSON.stringify({
            athleteId: 'other',
            deviceId: 'x',
            edgeId: 'e1',
            seq: 0,
            samples: [{ ts: Date.now(), hr: 90 }],
          }),
          timestamp: String(t0 + samples.length / 10 + GAP_MS + 1000),
        },
      ],
    });
    const started = await collect(kafka, topics.started);
    const completed = await collect(kafka, topics.completed);
    try {
      await waitFor(() => completed.records.some((r) => r.key === 'rider'), 90_000, 'ride completed');
      await new Promise((r) => setTimeout(r, 1500));
      expect(started.records.filter((r) => r.key === 'rider')).toHaveLength(1);
      const done = completed.records.filter((r) => r.key === 'rider');
      expect(done).toHaveLength(1);

      // the uninterrupted run: the same records through the same processing, no Kafka
      const proc = new Processor(
        { sessionGapMs: GAP_MS, latenessMs: 5000, maxFutureSkewMs: 30_000, idleStateTtlMs: 6 * 3_600_000 },
        { get: () => undefined },
      );
      const ps = new PartitionState(0);
      const out = newOutbox();
      for (const r of records(0, samples.length)) proc.apply(ps, JSON.parse(r.value), Number(r.timestamp), out);
      proc.advance(ps, out, t0 + samples.length / 10 + GAP_MS + 1000);
      expect(out.completed).toHaveLength(1);
      expect((done[0] as { value: TrainingCompleted }).value).toEqual(out.completed[0]);
    } finally {
      await Promise.all([started.stop(), completed.stop()]);
    }
  }, 300_000);
});
