import { kafkaTopics } from '@wattstream/contracts';
import { defineService, type RunningService, type ServiceContext, startService } from '@wattstream/kernel';
import {
  type Admin,
  CompressionTypes,
  type ConfigOf,
  type Consumer,
  createConsumer,
  createProducer,
  ensureTopics,
  headerString,
  type Logger,
  type Registry,
  retryKafka,
  startConsumerSpan,
  traceparentOfSpan,
  tracing,
  WattstreamError,
} from '@wattstream/platform';
import { workerConfigSpec } from '../config.js';
import { StreamErrorCode } from '../errors.js';
import { Mutex } from '../mutex.js';
import { Processor } from '../processor.js';
import { ProfileStore } from '../profiles.js';
import { type StreamTopics, streamTopics } from '../topics.js';
import { collectState, workerMetrics } from './metrics.js';
import type { Part } from './part.js';
import { PartitionTable } from './partitions.js';
import { Restorer } from './restore.js';
import { StatsEmitter } from './stats.js';
import { commitPlan, planCommit } from './transaction.js';

export type WorkerConfig = ConfigOf<typeof workerConfigSpec>;

export interface WorkerParts {
  readonly processor: Processor;
  readonly topics: StreamTopics;
  /** partitions this worker owns and has restored */
  ownedPartitions(): number[];
  /** runs a commit now (tests, shutdown) */
  commit(): Promise<void>;
}

/**
 * The stream worker: a consumer group on `tracking.metrics.received`; per-partition state
 * (athletes are the partition key, so workers scale with partitions); live stats to
 * `tracking.stats.updated`; sessions to `training.started` / `training.completed`.
 *
 * Exactly-once state: every `STREAM_COMMIT_INTERVAL` one Kafka transaction per partition carries
 * the session events, a snapshot of every athlete whose state changed (`stream.athlete.state`,
 * compacted, partition p for input partition p) and the consumer offset. After a crash or a
 * rebalance the new owner restores the snapshots of the last commit and resumes at its offset, so
 * a session's totals — and its started/completed events — come out as in an uninterrupted run.
 * Live stats are not transactional (they must not wait for a commit): after a crash a few may be
 * repeated with the same seq.
 *
 * The parts are testable without Kafka: `PartitionTable` (ownership), `planCommit`/`commitPlan`
 * (the transaction), `StatsEmitter` (coalescing), `stateFromSnapshots` (restore).
 */
export const workerService = defineService({
  name: 'stream-worker',
  description: 'live statistics and training sessions from tracking.metrics.received, exactly once',
  port: workerConfigSpec.httpPort,
  instance: workerConfigSpec.instanceId,
  config: workerConfigSpec,
  kafka: true,
  async start(ctx: ServiceContext<WorkerConfig>): Promise<WorkerParts> {
    const { config: cfg, logger } = ctx;
    const topics = streamTopics(cfg.topicPrefix);
    const kafka = ctx.kafka.client;
    const m = workerMetrics(ctx.registry);
    const admin = await ctx.kafka.admin();
    const inputPartitions = await prepareTopics(admin, topics, cfg, logger);

    const profiles = new ProfileStore(kafka, topics.profiles, `stream-profiles-${cfg.instanceId}`, logger);
    const processor = new Processor(
      {
        sessionGapMs: cfg.sessionGapMs,
        latenessMs: cfg.latenessMs,
        maxFutureSkewMs: cfg.maxFutureSkewMs,
        idleStateTtlMs: cfg.idleStateTtlMs,
      },
      profiles,
    );
    const plain = createProducer(kafka);
    const restorer = new Restorer({
      kafka,
      admin,
      plain,
      topics,
      groupId: cfg.groupId,
      transactionTimeoutMs: cfg.transactionTimeoutMs,
      instance: cfg.instanceId,
      metrics: m,
      logger,
    });
    await Promise.all([plain.connect(), profiles.start(), restorer.start()]);
    if (!(await profiles.caughtUp(10_000))) {
      logger.warn({ topic: topics.profiles }, 'profiles not fully read within 10 s; starting anyway');
    }

    // Closes a partition's producer; its next owner (maybe this worker again) initialises a new one.
    const table = new PartitionTable((part) => void part.tx.disconnect().catch(() => {}), logger);
    const mutex = new Mutex();
    let stopping = false;
    let lastCommit = Date.now();
    const stats = new StatsEmitter(
      processor,
      cfg.statsIntervalMs,
      async (messages) => {
        m.statsEmitted.inc(messages.length);
        await plain.send({ topic: topics.stats, acks: -1, messages, compression: CompressionTypes.LZ4 });
      },
      (err) => logger.error({ err }, 'stats not sent'),
    );

    /** One transaction per owned partition, in parallel (each partition has its own producer). */
    async function commit(): Promise<void> {
      if (table.rebalancing) return;
      const now = Date.now();
      const results = await Promise.all(
        [...table.parts].map(async ([p, part]) => {
          const plan = planCommit(p, part, topics, now);
          if (!plan) return undefined;
          const t0 = Date.now();
          const r = await commitPlan(part, plan, { groupId: cfg.groupId, topic: topics.metrics, partition: p });
          if (r.ok) {
            m.commits.inc();
            m.commitSeconds.observe((Date.now() - t0) / 1000);
            m.sessionsStarted.inc(plan.counts.started);
            m.sessionsCompleted.inc(plan.counts.completed);
            m.snapshots.inc(plan.counts.snapshots);
            return undefined;
          }
          m.commitFailures.inc();
          if (r.fenced) {
            // Another worker took the partition over: its work was never visible; the new owner redoes it.
            logger.warn(
              { code: StreamErrorCode.Fenced, partition: p },
              'another worker took this partition over; dropping it',
            );
            table.drop(p, part);
            return undefined;
          }
          return r.error;
        }),
      );
      lastCommit = Date.now();
      const failed = results.find((r) => r !== undefined);
      if (failed !== undefined) {
        table.dropAll('commit failed');
        throw new WattstreamError(
          StreamErrorCode.CommitFailed,
          `Kafka transaction failed (${failed.message}); uncommitted work is redone from the last commit`,
          { cause: failed },
        );
      }
    }

    /**
     * Restores assigned partitions no batch has restored yet: one without input after a takeover
     * would otherwise never end the sessions open on it. When its committed offset is the end of
     * the partition, it is caught up and its clock follows wall time.
     */
    async function restoreIdle(): Promise<void> {
      const missing = table.missing();
      if (missing.length === 0) return;
      const ends = await retryKafka(() => admin.fetchTopicOffsets(topics.metrics));
      for (const p of missing) {
        if (table.rebalancing || stopping || !table.isAssigned(p) || table.parts.has(p)) continue;
        const part = await restorer.restore(p);
        const high = Number(ends.find((e) => e.partition === p)?.high ?? '-1');
        part.caughtUp = part.next !== null && part.next >= high;
        table.parts.set(p, part);
      }
    }

    const consumer: Consumer = createConsumer(kafka, {
      groupId: cfg.groupId,
      readUncommitted: false,
      maxWaitTimeInMs: cfg.fetchMaxWaitMs,
      sessionTimeout: cfg.kafkaSessionTimeoutMs,
      heartbeatInterval: Math.max(1000, Math.floor(cfg.kafkaSessionTimeoutMs / 10)),
      rebalanceTimeout: Math.max(20_000, cfg.kafkaSessionTimeoutMs * 2),
    });
    consumer.on(consumer.events.REBALANCING, () => {
      table.rebalancing = true;
      void mutex.run(() => table.startRebalance());
    });
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      const assigned = e.payload.memberAssignment[topics.metrics] ?? [];
      logger.info({ partitions: [...assigned].sort((a, b) => a - b) }, 'partitions assigned');
      void mutex.run(() => table.assign(assigned));
    });
    ctx.readiness.add('kafka-group', () => (table.assigned.length > 0 ? true : 'no partitions assigned yet'));

    await consumer.connect();
    await consumer.subscribe({ topic: topics.metrics, fromBeginning: true });
    let badLogged = 0;
    const traced = tracing().enabled;
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        await mutex.run(async () => {
          if (table.rebalancing || stopping || !isRunning() || isStale()) return;
          const p = batch.partition;
          let part: Part | undefined = table.parts.get(p);
          if (part === undefined) {
            part = await restorer.restore(p);
            table.parts.set(p, part);
          }
          const first = Number(batch.firstOffset() ?? batch.lastOffset());
          if (part.next === null) part.next = first;
          if (first > part.next) {
            // in-memory work after the last commit was dropped: go back to the committed offset
            consumer.seek({ topic: topics.metrics, partition: p, offset: String(part.next) });
            return;
          }
          const t0 = performance.now();
          let applied = 0;
          for (const msg of batch.messages) {
            const off = Number(msg.offset);
            if (off < part.next) continue;
            let value: unknown;
            try {
              value = msg.value === null ? undefined : JSON.parse(msg.value.toString('utf8'));
            } catch {
              value = undefined;
            }
            const ceId = headerString(msg.headers, 'ce_id');
            // A hop, never a trace's origin: records that arrive without trace context get no span.
            const traceparent = traced ? headerString(msg.headers, 'traceparent') : undefined;
            const span =
              traceparent === undefined
                ? undefined
                : startConsumerSpan('stream apply', {
                    topic: topics.metrics,
                    partition: p,
                    offset: msg.offset,
                    traceparent,
                  });
            const ok = processor.apply(part.state, value, Number(msg.timestamp), part.outbox, ceId);
            if (span) {
              span.setAttribute('wattstream.outcome', ok ? 'applied' : 'bad-record');
              span.end();
              const a = ok ? part.state.athletes.get((value as { athleteId: string }).athleteId) : undefined;
              if (a) {
                a.traceparent = traceparentOfSpan(span);
                a.statsTraced = false;
              }
            }
            if (!ok) {
              m.badRecords.inc();
              if (badLogged++ < 10) {
                logger.warn(
                  { code: StreamErrorCode.BadRecord, partition: p, offset: msg.offset },
                  'record is not a MetricsReceived; skipped',
                );
              }
            }
            applied++;
            part.next = off + 1;
          }
          const last = Number(batch.lastOffset());
          if (last + 1 > part.next) part.next = last + 1;
          part.offsetPending = true;
          part.caughtUp = batch.offsetLag() === '0';
          m.lag.set({ partition: String(p) }, Number(batch.offsetLag()));
          processor.advance(part.state, part.outbox);
          m.records.inc(applied);
          m.batchSeconds.observe((performance.now() - t0) / 1000);
          resolveOffset(batch.lastOffset());
          if (Date.now() - lastCommit >= cfg.commitIntervalMs) await commit();
        });
        await heartbeat();
      },
    });

    // Clock and commits without input: idle partitions follow wall time; pending work is committed.
    const tickEvery = Math.min(500, Math.max(10, Math.floor(cfg.commitIntervalMs / 2)));
    const tick = setInterval(() => {
      if (table.rebalancing || stopping) return;
      void mutex
        .run(async () => {
          if (table.rebalancing || stopping) return;
          await restoreIdle();
          const now = Date.now();
          for (const part of table.parts.values()) if (part.caughtUp) processor.advance(part.state, part.outbox, now);
          if (now - lastCommit >= cfg.commitIntervalMs) await commit();
        })
        .catch((err: unknown) => logger.error({ err }, 'commit failed'));
    }, tickEvery);
    const statsTick = setInterval(() => stats.tick(table.parts.values(), Date.now()), 20);
    const collect = setInterval(() => collectState(m, table.parts.values(), processor), 1000);
    tick.unref();
    statsTick.unref();
    collect.unref();

    ctx.onShutdown('intake', 'worker: stop consuming', async () => {
      clearInterval(tick);
      clearInterval(collect);
      await consumer.stop().catch(() => {});
    });
    ctx.onShutdown('flush', 'worker: final commit and stats', async () => {
      await mutex.run(commit).catch((err: unknown) => logger.error({ err }, 'final commit failed'));
      stopping = true;
      clearInterval(statsTick);
      stats.tick(table.parts.values(), Date.now() + cfg.statsIntervalMs);
      await stats.settled();
    });
    ctx.onShutdown('close', 'worker: Kafka clients', async () => {
      await consumer.disconnect().catch(() => {});
      await Promise.all([profiles.stop(), restorer.stop()]);
      await Promise.all([
        ...[...table.parts.values()].map((part) => part.tx.disconnect().catch(() => {})),
        plain.disconnect().catch(() => {}),
      ]);
    });
    logger.info({ topics, inputPartitions, instance: cfg.instanceId }, 'stream worker running');
    return {
      processor,
      topics,
      ownedPartitions: () => table.owned(),
      commit: () => mutex.run(commit),
    };
  },
});

/** Creates missing topics; the changelog gets the input's partition count. */
async function prepareTopics(admin: Admin, topics: StreamTopics, cfg: WorkerConfig, logger: Logger): Promise<number> {
  const c = (name: string, contract: { configs: Readonly<Record<string, string>> }) => ({
    name,
    configs: contract.configs,
  });
  await ensureTopics(admin, [c(topics.metrics, kafkaTopics.metricsReceived)], { partitions: cfg.partitions, logger });
  const meta = await retryKafka(() => admin.fetchTopicMetadata({ topics: [topics.metrics] }));
  const inputPartitions = meta.topics[0]?.partitions.length ?? cfg.partitions;
  await ensureTopics(
    admin,
    [
      c(topics.stats, kafkaTopics.statsUpdated),
      c(topics.started, kafkaTopics.trainingStarted),
      c(topics.completed, kafkaTopics.trainingCompleted),
      c(topics.profiles, kafkaTopics.profileUpdated),
    ],
    { partitions: cfg.partitions, logger },
  );
  await ensureTopics(admin, [c(topics.changelog, kafkaTopics.athleteState)], { partitions: inputPartitions, logger });
  const cl = await retryKafka(() => admin.fetchTopicMetadata({ topics: [topics.changelog] }));
  const changelogPartitions = cl.topics[0]?.partitions.length ?? 0;
  if (changelogPartitions < inputPartitions) {
    throw new WattstreamError(
      StreamErrorCode.ChangelogPartitions,
      `${topics.changelog} has ${changelogPartitions} partitions but ${topics.metrics} has ${inputPartitions}; ` +
        'add partitions to the changelog (kafka-topics --alter --partitions) so that each input partition has one',
    );
  }
  return inputPartitions;
}

export type StreamWorker = RunningService<WorkerConfig, WorkerParts> &
  WorkerParts & { readonly registry: Registry; stop(): Promise<void> };

/** Starts a worker in this process (tests, benchmarks). */
export async function startWorker(env: Record<string, string | undefined>): Promise<StreamWorker> {
  const svc = await startService(workerService, { env });
  return Object.assign(svc, svc.result, { registry: svc.ctx.registry });
}
