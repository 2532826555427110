import { randomBytes } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import { cloudEventHeaders, type KafkaTopicContract } from '@wattstream/contracts';
import { testDatabase } from '@wattstream/infra/testing';
import { defineService, startService } from '@wattstream/kernel';
import {
  createConsumer,
  createKafka,
  createLogger,
  createProducer,
  ensureTopics,
  type KafkaClient,
  port,
} from '@wattstream/platform';
import type { Benchmark } from '../benchmark.js';
import { LatencyRecorder, round } from '../stats.js';

const WRITERS = 8;
const PARTITIONS = 6;

const BenchEvent = Type.Object(
  { n: Type.Integer({ minimum: 0 }), writer: Type.Integer({ minimum: 0 }) },
  { $id: 'wattstream/bench/OutboxEvent', additionalProperties: false },
);

const benchTopic = (name: string): KafkaTopicContract => ({
  name,
  description: 'outbox benchmark events',
  key: 'writer',
  value: BenchEvent,
  ceId: 'random',
  ceSource: '/bench-outbox',
  producer: 'bench',
  configs: { 'cleanup.policy': 'delete', 'retention.ms': '3600000' },
  partitions: PARTITIONS,
});

/** A service whose only job is the outbox: each write is one transaction, a row and its event. */
const outboxBenchService = defineService({
  name: 'bench-outbox',
  description: 'outbox benchmark',
  port: port('BENCH_OUTBOX_PORT', { default: 0, allowZero: true }),
  postgres: { migrations: new URL('../../migrations/outbox/', import.meta.url) },
  kafka: true,
  outbox: true,
  config: {},
  start(ctx) {
    return ctx;
  },
});

/**
 * The transactional outbox relay (packages/kernel) under load: 8 writers each commit one
 * transaction after another — an INSERT and its event through `outbox.enqueue` — and a consumer
 * times each event from its COMMIT to its arrival. Side by side in the same run, the same 8
 * writers send the same records straight to Kafka with an idempotent producer (what a service
 * without an outbox would do, losing the atomicity): the ratio is the price of the outbox.
 */
export const outbox: Benchmark = {
  name: 'outbox',
  description:
    `kernel outbox: ${WRITERS} writers each committing a row + its event per transaction, relayed to Kafka; ` +
    'events/s and commit → consumer latency, against the same records produced directly (no outbox) in the same run.',
  defaultDurationMs: 15_000,
  async run(ctx) {
    const { env } = await ctx.infra();
    const run = randomBytes(4).toString('hex');
    const db = await testDatabase('bench_outbox', env.POSTGRES_URL);
    ctx.onCleanup(() => db.drop());
    const brokers = env.KAFKA_BROKERS!.split(',');
    const logger = createLogger('bench', 'warn');
    const kafka = createKafka({ brokers, clientId: 'bench-outbox', logger });
    const viaOutbox = benchTopic(`bench.outbox.${run}.relayed`);
    const direct = benchTopic(`bench.outbox.${run}.direct`);
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [viaOutbox, direct]);
    await admin.disconnect();

    const svc = await startService(outboxBenchService, {
      env: {
        ...process.env,
        ...env,
        LOG_LEVEL: process.env.BENCH_SERVICE_LOG_LEVEL ?? 'silent',
        DATABASE_URL: db.url,
        OUTBOX_POLL: '1s',
      },
    });
    ctx.onCleanup(() => svc.stop());
    const serviceCtx = svc.ctx;
    serviceCtx.produces(viaOutbox);

    const relayed = await latencyConsumer(kafka, viaOutbox.name);
    const straight = await latencyConsumer(kafka, direct.name);
    ctx.onCleanup(() => relayed.stop());
    ctx.onCleanup(() => straight.stop());
    const producer = createProducer(kafka);
    await producer.connect();
    ctx.onCleanup(() => producer.disconnect());

    let n = 0;
    const half = Math.max(2_000, Math.floor((ctx.warmupMs + ctx.durationMs) / 2));
    const phase = async (write: (writer: number, n: number) => Promise<void>, sent: Map<number, number>) => {
      const stop = performance.now() + half;
      const measureFrom = performance.now() + Math.min(ctx.warmupMs, half / 4);
      let measured = 0;
      await Promise.all(
        Array.from({ length: WRITERS }, async (_, writer) => {
          while (performance.now() < stop) {
            const i = n++;
            await write(writer, i);
            if (performance.now() >= measureFrom) {
              sent.set(i, performance.now());
              measured++;
            }
          }
        }),
      );
      return { measured, seconds: (stop - measureFrom) / 1000 };
    };

    const outboxWrites = await phase(async (writer, i) => {
      await serviceCtx.tx(async (tx) => {
        await tx.query('INSERT INTO bench_items (n, writer) VALUES ($1, $2)', [i, writer]);
        await serviceCtx.outbox!.enqueue(tx, { topic: viaOutbox, key: String(writer), value: { n: i, writer } });
      });
    }, relayed.sentAt);
    await relayed.drained();
    const directWrites = await phase(async (writer, i) => {
      await producer.send({
        topic: direct.name,
        acks: -1,
        messages: [
          {
            key: String(writer),
            value: JSON.stringify({ n: i, writer }),
            headers: cloudEventHeaders({ type: direct.name, id: `${i}`, source: '/bench', time: Date.now() }),
          },
        ],
      });
    }, straight.sentAt);
    await straight.drained();

    const o = relayed.latency.summary();
    const d = straight.latency.summary();
    const outboxRate = outboxWrites.measured / outboxWrites.seconds;
    const directRate = directWrites.measured / directWrites.seconds;
    return {
      figures: {
        writers: WRITERS,
        outboxEventsPerS: Math.round(outboxRate),
        outboxCommitToConsumerP50Ms: round(o.p50, 1),
        outboxCommitToConsumerP99Ms: round(o.p99, 1),
        directEventsPerS: Math.round(directRate),
        directSendToConsumerP50Ms: round(d.p50, 1),
        directSendToConsumerP99Ms: round(d.p99, 1),
        events: outboxWrites.measured + directWrites.measured,
      },
      ratios: { outboxVsDirectThroughput: round(outboxRate / directRate, 2) },
      charts: [
        {
          kind: 'percentile',
          title: `commit → consumer, ${WRITERS} writers`,
          yLabel: 'ms',
          curves: [
            { name: 'outbox (row + event per transaction)', points: relayed.latency.curve() },
            { name: 'direct produce (acks=all)', points: straight.latency.curve() },
          ],
        },
      ],
      notes: [
        'Latency of the outbox is from the COMMIT returning to the consumer receiving the event (LISTEN/NOTIFY wakes the relay; ' +
          'it sends in batches of OUTBOX_BATCH); of the direct path from the send returning to the consumer receiving it.',
        'The service runs in the harness process; PostgreSQL and Kafka float over both cores.',
      ],
    };
  },
};

/**
 * A consumer that notes when each record arrives; `drained(sent)` waits for every measured event
 * and times it against when its writer finished (an event can arrive before its writer returns:
 * the relay may publish between COMMIT and the reply, and then it counts as 0 ms).
 */
async function latencyConsumer(kafka: KafkaClient, topic: string) {
  const sentAt = new Map<number, number>();
  const arrivedAt = new Map<number, number>();
  const latency = new LatencyRecorder();
  const consumer = createConsumer(kafka, {
    groupId: `bench-outbox-${randomBytes(4).toString('hex')}`,
    maxWaitTimeInMs: 20,
  });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const { n } = JSON.parse(message.value!.toString()) as { n: number };
      arrivedAt.set(n, performance.now());
    },
  });
  return {
    sentAt,
    latency,
    async drained() {
      const deadline = performance.now() + 60_000;
      const missing = () => [...sentAt.keys()].filter((n) => !arrivedAt.has(n)).length;
      while (missing() > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      if (missing() > 0) throw new Error(`${topic}: ${missing()} of ${sentAt.size} measured events never arrived`);
      for (const [n, t] of sentAt) latency.recordMs(Math.max(0, arrivedAt.get(n)! - t));
    },
    stop: () => consumer.disconnect(),
  };
}
