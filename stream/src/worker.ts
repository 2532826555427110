import { cloudEventHeaders, kafkaTopics } from '@wattstream/contracts';
import {
  type Admin,
  CompressionTypes,
  type ConfigOf,
  type Consumer,
  Counter,
  createConsumer,
  createKafka,
  createProducer,
  createRegistry,
  ensureTopics,
  Gauge,
  Histogram,
  headerString,
  LATENCY_BUCKETS,
  type Logger,
  type OpsServer,
  type Producer,
  type Registry,
  retryKafka,
  startOpsServer,
  WattstreamError,
} from '@wattstream/platform';

import { CompactedReader } from './compacted-reader.js';
import type { workerConfigSpec } from './config.js';
import { StreamErrorCode } from './errors.js';
import { Mutex } from './mutex.js';
import { newOutbox, type Outbox, PartitionState, Processor } from './processor.js';
import { ProfileStore } from './profiles.js';
import { decodeState, type EncodedState, encodeState, STATE_FORMAT_VERSION } from './state-codec.js';
import { type StreamTopics, streamTopics } from './topics.js';

export type WorkerConfig = ConfigOf<typeof workerConfigSpec>;

interface Part {
  /**
   * The partition's transactional producer, id `STREAM_GROUP_ID-p<partition>`. Initialising it
   * bumps the id's epoch: the partition's previous owner is fenced and its open transaction
   * aborted before this worker restores, so a paused or partitioned "zombie" can never commit
   * after the partition moved (kafkajs has no KIP-447 group fencing; this is the per-partition
   * producer scheme Kafka Streams used before it).
   */
  tx: Producer;
  state: PartitionState;
  /** next input offset to apply; null until known */
  next: number | null;
  /** the latest fetch had no lag: the arrival clock may follow wall time */
  caughtUp: boolean;
  outbox: Outbox;
  offsetPending: boolean;
}

export interface StreamWorker {
  readonly processor: Processor;
  readonly topics: StreamTopics;
  readonly registry: Registry;
  readonly ops: OpsServer | undefined;
  /** partitions this worker owns and has restored */
  ownedPartitions(): number[];
  /** runs a commit now (tests, shutdown) */
  commit(): Promise<void>;
  stop(): Promise<void>;
}

const RESTORE_TIMEOUT_MS = 120_000;
/** Bytes of record values per produce request (well under the 1 MiB max.message.bytes). */
const MAX_REQUEST_BYTES = 512 * 1024;

/** Splits messages into groups of at most `maxBytes` of values (and keys). */
export function chunks<M extends { key?: string | null; value: string | null }>(
  messages: M[],
  maxBytes: number,
): M[][] {
  const out: M[][] = [];
  let cur: M[] = [];
  let size = 0;
  for (const msg of messages) {
    const n = (msg.value?.length ?? 0) + (msg.key?.length ?? 0) + 100;
    if (cur.length > 0 && size + n > maxBytes) {
      out.push(cur);
      cur = [];
      size = 0;
    }
    cur.push(msg);
    size += n;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/**
 * The stream worker: a consumer group on `tracking.metrics.received`; per-partition state
 * (athletes are the partition key, so workers scale with partitions); live stats to
 * `tracking.stats.updated`; sessions to `training.started` / `training.completed`.
 *
 * Exactly-once state: every `STREAM_COMMIT_INTERVAL` one Kafka transaction carries the session
 * events, a snapshot of every athlete whose state changed (`stream.athlete.state`, compacted,
 * partition p for input partition p) and the consumer offsets. After a crash or a rebalance the
 * new owner of a partition restores the snapshots of the last commit and resumes at its offsets,
 * so a session's totals — and its started/completed events — come out as in an uninterrupted run.
 * Live stats are not transactional (they must not wait for a commit): after a crash a few may be
 * repeated with the same seq.
 */
export async function startWorker(
  cfg: WorkerConfig,
  logger: Logger,
  { ops = true }: { ops?: boolean } = {},
): Promise<StreamWorker> {
  const topics = streamTopics(cfg.topicPrefix);
  const kafka = createKafka({ brokers: cfg.kafkaBrokers, clientId: `stream-worker-${cfg.instanceId}`, logger });
  const registry = createRegistry('stream-worker');
  const m = workerMetrics(registry);

  const admin = kafka.admin();
  await admin.connect();
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

  // Every worker follows the whole changelog (a warm standby of every partition), so taking a
  // partition over needs only a barrier, not a re-read.
  const warm = new Map<number, Map<string, string>>();
  const changelog = new CompactedReader(
    kafka,
    topics.changelog,
    `stream-changelog-${cfg.instanceId}`,
    logger,
    (key, value, partition) => {
      let table = warm.get(partition);
      if (table === undefined) {
        table = new Map();
        warm.set(partition, table);
      }
      if (value === null) table.delete(key);
      else table.set(key, value.toString('utf8'));
    },
  );

  const plain = createProducer(kafka);
  await Promise.all([plain.connect(), profiles.start(), changelog.start()]);
  if (!(await profiles.caughtUp(10_000))) {
    logger.warn({ topic: topics.profiles }, 'profiles not fully read within 10 s; starting anyway');
  }

  const parts = new Map<number, Part>();
  const mutex = new Mutex();
  let rebalancing = false;
  let stopping = false;
  let stopped: Promise<void> | undefined;
  let lastCommit = Date.now();
  let statsInFlight: Promise<unknown> | null = null;
  let assigned: number[] = [];

  const consumer: Consumer = createConsumer(kafka, {
    groupId: cfg.groupId,
    readUncommitted: false,
    maxWaitTimeInMs: cfg.fetchMaxWaitMs,
    sessionTimeout: cfg.kafkaSessionTimeoutMs,
    heartbeatInterval: Math.max(1000, Math.floor(cfg.kafkaSessionTimeoutMs / 10)),
    rebalanceTimeout: Math.max(60_000, cfg.kafkaSessionTimeoutMs * 2),
  });

  async function restore(p: number): Promise<Part> {
    const t0 = Date.now();
    // First fence the previous owner: its open transaction is aborted (or, if already being
    // committed, completed) before the barrier below reads what was committed.
    const tx = createProducer(kafka, {
      transactionalId: `${cfg.groupId}-p${p}`,
      transactionTimeout: cfg.transactionTimeoutMs,
    });
    await retryKafka(() => initTransactions(tx));
    const ok = await changelog.barrier(
      (key, partition) =>
        plain.send({ topic: topics.changelog, acks: -1, messages: [{ key, value: null, partition }] }),
      p,
      RESTORE_TIMEOUT_MS,
    );
    if (!ok) {
      await tx.disconnect().catch(() => {});
      throw new WattstreamError(
        StreamErrorCode.RestoreTimeout,
        `could not read the state changelog ${topics.changelog} partition ${p} to its end within ${RESTORE_TIMEOUT_MS} ms; is Kafka healthy?`,
      );
    }
    const state = new PartitionState(p);
    for (const [athleteId, raw] of warm.get(p) ?? []) {
      try {
        const snap = JSON.parse(raw) as { v: number; state: EncodedState };
        if (snap.v !== STATE_FORMAT_VERSION) throw new Error(`unknown state format v${snap.v}`);
        const a = decodeState(athleteId, snap.state);
        state.athletes.set(athleteId, a);
        if (a.lastArrival > state.clock) state.clock = a.lastArrival;
      } catch (err) {
        // one unreadable snapshot costs that athlete's open session, never the partition
        logger.error({ err, athleteId, partition: p }, 'state snapshot unreadable; athlete starts afresh');
      }
    }
    const offsets = await retryKafka(() => admin.fetchOffsets({ groupId: cfg.groupId, topics: [topics.metrics] }));
    const committed = Number(offsets[0]?.partitions.find((x) => x.partition === p)?.offset ?? '-1');
    m.restores.inc();
    m.restoreSeconds.observe((Date.now() - t0) / 1000);
    logger.info(
      { partition: p, athletes: state.athletes.size, committedOffset: committed, ms: Date.now() - t0 },
      'partition state restored',
    );
    return {
      tx,
      state,
      next: committed >= 0 ? committed : null,
      caughtUp: false,
      outbox: newOutbox(),
      offsetPending: false,
    };
  }

  /**
   * Restores assigned partitions that no batch has restored yet. A partition that receives no
   * input after a takeover would otherwise never be restored, and the sessions open on it would
   * never end. When its committed offset is the end of the partition, it is caught up and its
   * clock follows wall time.
   */
  async function restoreIdle(): Promise<void> {
    // No wait for the previous owner: restore() fences it first (initTransactions on the
    // partition's transactional id aborts or completes its open transaction).
    const missing = assigned.filter((p) => !parts.has(p));
    if (missing.length === 0) return;
    const ends = await retryKafka(() => admin.fetchTopicOffsets(topics.metrics));
    for (const p of missing) {
      if (rebalancing || stopping || !assigned.includes(p) || parts.has(p)) continue;
      const part = await restore(p);
      const high = Number(ends.find((e) => e.partition === p)?.high ?? '-1');
      part.caughtUp = part.next !== null && part.next >= high;
      parts.set(p, part);
    }
  }

  /** Closes a partition's producer; its next owner (maybe this worker again) initialises a new one. */
  function release(part: Part): void {
    void part.tx.disconnect().catch(() => {});
  }

  /** Drops all in-memory partition state: it is restored from the changelog when needed. */
  function dropAll(reason: string): void {
    if (parts.size > 0) logger.info({ partitions: [...parts.keys()], reason }, 'dropping partition state');
    for (const part of parts.values()) release(part);
    parts.clear();
  }

  /** One transaction per owned partition, in parallel (each partition has its own producer). */
  async function commit(): Promise<void> {
    if (rebalancing) return;
    const now = Date.now();
    const results = await Promise.all([...parts].map(([p, part]) => commitPartition(p, part, now)));
    lastCommit = Date.now();
    const failed = results.find((r) => r !== undefined);
    if (failed !== undefined) {
      dropAll('commit failed');
      throw new WattstreamError(
        StreamErrorCode.CommitFailed,
        `Kafka transaction failed (${failed.message}); uncommitted work is redone from the last commit`,
        { cause: failed },
      );
    }
  }

  /**
   * Commits one partition's session events, changed snapshots and input offset in its own
   * transaction. Returns the error when it failed; a fenced partition (another worker took it
   * over) is dropped here and is not an error: its work was never visible and the new owner redoes it.
   */
  async function commitPartition(p: number, part: Part, now: number): Promise<Error | undefined> {
    const event = (type: string, e: { athleteId: string; sessionId: string }) => ({
      key: e.athleteId,
      value: JSON.stringify(e),
      headers: cloudEventHeaders({ type, id: e.sessionId, source: '/stream', time: now }),
    });
    const started = part.outbox.started.map((e) => event(kafkaTopics.trainingStarted.name, e));
    const completed = part.outbox.completed.map((e) => event(kafkaTopics.trainingCompleted.name, e));
    const states = [...part.outbox.changed].map((id) => {
      const a = part.state.athletes.get(id);
      const updatedAt = a?.lastArrival || now;
      return {
        key: id,
        partition: p,
        value: a ? JSON.stringify({ v: STATE_FORMAT_VERSION, athleteId: id, updatedAt, state: encodeState(a) }) : null,
        headers: cloudEventHeaders({
          type: kafkaTopics.athleteState.name,
          id: `${id}:${updatedAt}`,
          source: '/stream',
          time: now,
        }),
      };
    });
    const offset = part.offsetPending && part.next !== null ? String(part.next) : undefined;
    if (started.length + completed.length + states.length === 0 && offset === undefined) return undefined;
    const t0 = Date.now();
    let transaction: Awaited<ReturnType<Producer['transaction']>> | undefined;
    try {
      transaction = await part.tx.transaction();
      // One produce request per chunk: a partition's record batch must stay under the broker's
      // max.message.bytes (1 MiB), which a commit of a thousand athletes' snapshots exceeds.
      const outputs: [string, { key: string; value: string | null; partition?: number }[]][] = [
        [topics.started, started],
        [topics.completed, completed],
        [topics.changelog, states],
      ];
      for (const [topic, messages] of outputs) {
        for (const chunk of chunks(messages, MAX_REQUEST_BYTES)) {
          await transaction.send({ topic, messages: chunk, acks: -1, compression: CompressionTypes.LZ4 });
        }
      }
      if (offset !== undefined) {
        await transaction.sendOffsets({
          consumerGroupId: cfg.groupId,
          topics: [{ topic: topics.metrics, partitions: [{ partition: p, offset }] }],
        });
      }
      await transaction.commit();
    } catch (err) {
      await transaction?.abort().catch(() => {});
      m.commitFailures.inc();
      if (isFenced(err)) {
        logger.warn(
          { code: StreamErrorCode.Fenced, partition: p },
          'another worker took this partition over (its producer fenced ours); dropping it',
        );
        release(part);
        if (parts.get(p) === part) parts.delete(p);
        return undefined;
      }
      return err as Error;
    }
    part.outbox = newOutbox();
    part.offsetPending = false;
    m.commits.inc();
    m.commitSeconds.observe((Date.now() - t0) / 1000);
    m.sessionsStarted.inc(started.length);
    m.sessionsCompleted.inc(completed.length);
    m.snapshots.inc(states.length);
    return undefined;
  }

  consumer.on(consumer.events.REBALANCING, () => {
    rebalancing = true;
    void mutex.run(() => dropAll('rebalance'));
  });
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    assigned = (e.payload.memberAssignment[topics.metrics] ?? []).slice().sort((a, b) => a - b);
    logger.info({ partitions: assigned }, 'partitions assigned');
    void mutex.run(() => {
      for (const [p, part] of [...parts]) {
        if (assigned.includes(p)) continue;
        release(part);
        parts.delete(p);
      }
      rebalancing = false;
    });
  });

  await consumer.connect();
  await consumer.subscribe({ topic: topics.metrics, fromBeginning: true });
  let badLogged = 0;
  await consumer.run({
    autoCommit: false,
    eachBatchAutoResolve: false,
    eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
      await mutex.run(async () => {
        if (rebalancing || stopping || !isRunning() || isStale()) return;
        const p = batch.partition;
        let part = parts.get(p);
        if (part === undefined) {
          part = await restore(p);
          parts.set(p, part);
        }
        const firstRaw = batch.firstOffset();
        const first = Number(firstRaw ?? batch.lastOffset());
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
          if (
            !processor.apply(part.state, value, Number(msg.timestamp), part.outbox, headerString(msg.headers, 'ce_id'))
          ) {
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
    if (rebalancing || stopping) return;
    void mutex
      .run(async () => {
        if (rebalancing || stopping) return;
        await restoreIdle();
        const now = Date.now();
        for (const part of parts.values()) if (part.caughtUp) processor.advance(part.state, part.outbox, now);
        if (now - lastCommit >= cfg.commitIntervalMs) await commit();
      })
      .catch((err: unknown) => logger.error({ err }, 'commit failed'));
  }, tickEvery);

  // Live stats, coalesced: at most one record per athlete per STREAM_STATS_INTERVAL.
  const statsTick = setInterval(() => {
    if (statsInFlight !== null) return;
    const now = Date.now();
    const messages = [];
    for (const part of parts.values()) {
      for (const a of part.state.dirty) {
        if (now - a.lastEmitWall < cfg.statsIntervalMs) continue;
        part.state.dirty.delete(a);
        const st = processor.stats(a);
        if (st === null) continue;
        a.lastEmitWall = now;
        messages.push({
          key: a.athleteId,
          value: JSON.stringify(st),
          headers: cloudEventHeaders({
            type: kafkaTopics.statsUpdated.name,
            id: `${a.athleteId}:${st.seq}`,
            source: '/stream',
            time: now,
          }),
        });
      }
    }
    if (messages.length === 0) return;
    m.statsEmitted.inc(messages.length);
    statsInFlight = (async () => {
      for (const chunk of chunks(messages, MAX_REQUEST_BYTES)) {
        await plain.send({ topic: topics.stats, acks: -1, messages: chunk, compression: CompressionTypes.LZ4 });
      }
    })()
      .catch((err: unknown) => logger.error({ err }, 'stats not sent'))
      .finally(() => {
        statsInFlight = null;
      });
  }, 20);

  const collect = setInterval(() => {
    let athletes = 0;
    let sessions = 0;
    for (const part of parts.values()) {
      athletes += part.state.athletes.size;
      for (const a of part.state.athletes.values()) if (a.session) sessions++;
    }
    m.athletes.set(athletes);
    m.openSessions.set(sessions);
    const c = processor.counters;
    m.samples.set(c.samples);
    m.late.set(c.late);
    m.future.set(c.future);
    m.duplicates.set(c.duplicateSamples);
  }, 1000);
  tick.unref();
  statsTick.unref();
  collect.unref();

  let opsServer: OpsServer | undefined;
  if (ops) {
    opsServer = await startOpsServer({ port: cfg.httpPort, host: cfg.bindHost, registry, logger });
    opsServer.addReadinessCheck('kafka-group', () => (assigned.length > 0 ? true : 'no partitions assigned yet'));
  }
  logger.info({ topics, inputPartitions, instance: cfg.instanceId }, 'stream worker running');

  const worker: StreamWorker = {
    processor,
    topics,
    registry,
    ops: opsServer,
    ownedPartitions: () => [...parts.keys()].sort((a, b) => a - b),
    commit: () => mutex.run(commit),
    stop() {
      stopped ??= (async () => {
        clearInterval(tick);
        clearInterval(statsTick);
        clearInterval(collect);
        await consumer.stop().catch(() => {});
        await mutex.run(commit).catch((err: unknown) => logger.error({ err }, 'final commit failed'));
        stopping = true;
        await statsInFlight;
        await consumer.disconnect().catch(() => {});
        await Promise.all([profiles.stop(), changelog.stop()]);
        await Promise.all([
          ...[...parts.values()].map((part) => part.tx.disconnect().catch(() => {})),
          plain.disconnect().catch(() => {}),
        ]);
        await admin.disconnect().catch(() => {});
        await opsServer?.close();
      })();
      return stopped;
    },
  };
  return worker;
}

/**
 * Initialises a transactional producer's id now. kafkajs does it lazily, on the first
 * `transaction()`, not on `connect()`: without this the fence (epoch bump, the previous owner's
 * open transaction aborted) would happen only at the first commit, after the state was restored.
 * An empty transaction's abort sends nothing.
 */
export async function initTransactions(tx: Producer): Promise<void> {
  await tx.connect();
  const t = await tx.transaction();
  await t.abort();
}

function isFenced(err: unknown): boolean {
  const type = (err as { type?: string }).type;
  return type === 'INVALID_PRODUCER_EPOCH' || type === 'PRODUCER_FENCED' || /fenced/i.test(String(err));
}

/** Creates missing topics; the changelog gets the input's partition count. */
async function prepareTopics(admin: Admin, topics: StreamTopics, cfg: WorkerConfig, logger: Logger): Promise<number> {
  const c = (name: string, contract: { configs: Readonly<Record<string, string>> }) => ({
    name,
    configs: contract.configs,
  });
  await ensureTopics(admin, [c(topics.metrics, kafkaTopics.metricsReceived)], {
    partitions: cfg.partitions,
    logger,
  });
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
  await ensureTopics(admin, [c(topics.changelog, kafkaTopics.athleteState)], {
    partitions: inputPartitions,
    logger,
  });
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

function workerMetrics(registry: Registry) {
  const r = { registers: [registry] };
  return {
    records: new Counter({ name: 'wattstream_stream_records_total', help: 'input records processed', ...r }),
    badRecords: new Counter({ name: 'wattstream_stream_bad_records_total', help: 'input records skipped', ...r }),
    samples: new Gauge({ name: 'wattstream_stream_samples_applied', help: 'samples applied since start', ...r }),
    late: new Gauge({ name: 'wattstream_stream_samples_late', help: 'samples later than the allowed lateness', ...r }),
    future: new Gauge({
      name: 'wattstream_stream_samples_future',
      help: 'samples ahead of their arrival by more than STREAM_MAX_FUTURE_SKEW, ignored',
      ...r,
    }),
    duplicates: new Gauge({ name: 'wattstream_stream_samples_duplicate', help: 'redelivered samples ignored', ...r }),
    commits: new Counter({ name: 'wattstream_stream_commits_total', help: 'Kafka transactions committed', ...r }),
    commitFailures: new Counter({
      name: 'wattstream_stream_commit_failures_total',
      help: 'transactions aborted',
      ...r,
    }),
    commitSeconds: new Histogram({
      name: 'wattstream_stream_commit_seconds',
      help: 'time to commit a transaction',
      buckets: LATENCY_BUCKETS,
      ...r,
    }),
    batchSeconds: new Histogram({
      name: 'wattstream_stream_batch_seconds',
      help: 'time to apply one fetched batch',
      buckets: LATENCY_BUCKETS,
      ...r,
    }),
    snapshots: new Counter({ name: 'wattstream_stream_snapshots_total', help: 'state snapshots written', ...r }),
    restores: new Counter({ name: 'wattstream_stream_restores_total', help: 'partitions restored', ...r }),
    restoreSeconds: new Histogram({
      name: 'wattstream_stream_restore_seconds',
      help: 'time to restore a partition',
      buckets: LATENCY_BUCKETS,
      ...r,
    }),
    statsEmitted: new Counter({ name: 'wattstream_stream_stats_total', help: 'stats records sent', ...r }),
    sessionsStarted: new Counter({ name: 'wattstream_stream_sessions_started_total', help: 'sessions started', ...r }),
    sessionsCompleted: new Counter({
      name: 'wattstream_stream_sessions_completed_total',
      help: 'sessions completed',
      ...r,
    }),
    athletes: new Gauge({ name: 'wattstream_stream_athletes', help: 'athletes in owned partitions', ...r }),
    openSessions: new Gauge({ name: 'wattstream_stream_open_sessions', help: 'open sessions', ...r }),
  };
}
