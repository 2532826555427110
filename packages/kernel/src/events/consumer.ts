import type { Static, TSchema } from '@sinclair/typebox';
import { compile, type KafkaTopicContract, type ParsedCloudEvent, parseCloudEventHeaders } from '@wattstream/contracts';
import {
  type Consumer,
  Counter,
  createConsumer,
  type EachBatchPayload,
  Gauge,
  Histogram,
  headerString,
  type KafkaClient,
  type KafkaMessage,
  LATENCY_BUCKETS,
  type Logger,
  type Producer,
  type Registry,
  startConsumerSpan,
  tracing,
  withSpan,
} from '@wattstream/platform';
import { isDbUnavailable, type Pool, type PoolClient, withTransaction } from '../db/postgres.js';
import { isWattstreamError, KernelErrorCode } from '../errors.js';
import { sendDeadLetter } from './dlq.js';
import { PartitionWork } from './partition-work.js';
import { type Backoff, backoffDelay, waitAlive } from './retry.js';

export interface ConsumedEvent<V> {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  /** The record value, checked against the topic's contract; `null` for a tombstone. */
  value: V | null;
  ce: ParsedCloudEvent;
  /** Kafka's record timestamp, epoch ms. */
  timestamp: number;
}

export interface ConsumerSpec<T extends KafkaTopicContract = KafkaTopicContract> {
  topic: T;
  /** Consumer group; defaults to the service name, so every handler of a service shares one group. */
  group?: string;
  /**
   * `postgres` (the default when the service has a database): the event's `ce_id` is recorded in
   * `kernel_processed_events` in the handler's own transaction, so a redelivery changes nothing.
   * `none`: the handler is idempotent by itself (e.g. an in-memory projection, latest wins).
   */
  idempotency?: 'postgres' | 'none';
  /** Hand tombstones (null values) to the handler instead of skipping them. */
  tombstones?: boolean;
  /** Handler attempts before a record is dead-lettered (database outages do not count). */
  maxAttempts?: number;
  backoff?: Partial<Backoff>;
  /** Keys of one partition handled at once; records of one key always run in order. */
  keyConcurrency?: number;
  /** `tx` is the transaction the processed-event row is written in; undefined with `idempotency: 'none'`. */
  handle(event: ConsumedEvent<Static<T['value']>>, tx: PoolClient | undefined): Promise<void>;
}

interface Handler {
  spec: ConsumerSpec;
  validate: (v: unknown) => { ok: true } | { ok: false; message: string };
  maxAttempts: number;
  backoff: Backoff;
  idempotent: boolean;
}

export interface ConsumerGroupOptions {
  kafka: KafkaClient;
  group: string;
  pool: Pool | undefined;
  producer: () => Promise<Producer>;
  logger: Logger;
  metrics: ConsumerMetrics;
  sessionTimeoutMs: number;
  partitionsConsumedConcurrently?: number;
}

export type Outcome = 'handled' | 'duplicate' | 'skipped' | 'dead-lettered';

/** Metrics shared by every consumer group of a service. */
export function consumerMetrics(registry: Registry) {
  const r = { registers: [registry] };
  return {
    events: new Counter({
      name: 'wattstream_consumer_events_total',
      help: 'consumed events by outcome (handled, duplicate, skipped, dead-lettered)',
      labelNames: ['topic', 'group', 'outcome'] as const,
      ...r,
    }),
    retries: new Counter({
      name: 'wattstream_consumer_retries_total',
      help: 'handler attempts that failed and were retried',
      labelNames: ['topic', 'group'] as const,
      ...r,
    }),
    deadLetters: new Counter({
      name: 'wattstream_dlq_published_total',
      help: 'records written to <topic>.dlq, by reason code',
      labelNames: ['topic', 'group', 'code'] as const,
      ...r,
    }),
    duration: new Histogram({
      name: 'wattstream_consumer_handle_seconds',
      help: 'time to handle one event, retries included',
      labelNames: ['topic', 'group'] as const,
      buckets: LATENCY_BUCKETS,
      ...r,
    }),
    lag: new Gauge({
      name: 'wattstream_consumer_lag',
      help: 'records behind the end of the partition after the last fetched batch',
      labelNames: ['topic', 'group', 'partition'] as const,
      ...r,
    }),
  };
}
export type ConsumerMetrics = ReturnType<typeof consumerMetrics>;

const DEFAULT_BACKOFF: Backoff = { initialMs: 200, maxMs: 30_000 };
/** Records of one partition taken but not finished before fetching pauses. */
const MAX_IN_FLIGHT = 1000;
const COMMIT_INTERVAL_MS = 500;

/**
 * One consumer group of a service and the handlers of its topics.
 *
 * - **Idempotent**: each event's `ce_id` is recorded with the handler's effect, in one transaction.
 * - **Retry**: a failing handler is retried with exponential backoff and full jitter, up to
 *   `maxAttempts`; a database outage is waited out without using attempts (nothing could succeed).
 * - **Dead letters**: a record that cannot be parsed, breaks its contract, is refused for good
 *   (`PermanentError`, a 4xx coded error) or runs out of attempts goes to `<topic>.dlq` with the
 *   reason in its headers, and the partition moves on: poison never stops a partition.
 * - **Keys in parallel**: different keys of a partition run concurrently, across fetched batches
 *   (each key in offset order), so one slow or retrying key does not hold the others back; at most
 *   1000 records of a partition are in flight.
 * - The committed offset of a partition is its lowest unfinished record: what was handled before a
 *   crash is seen again and recognised as a duplicate.
 */
export class ConsumerGroup {
  private readonly handlers = new Map<string, Handler>();
  private readonly work = new Map<string, PartitionWork>();
  private commitTimer: NodeJS.Timeout | undefined;
  private consumer: Consumer | undefined;
  private stopping = false;
  private joined = false;

  constructor(private readonly o: ConsumerGroupOptions) {}

  get group(): string {
    return this.o.group;
  }

  get topics(): string[] {
    return [...this.handlers.keys()];
  }

  add(spec: ConsumerSpec): void {
    if (this.handlers.has(spec.topic.name)) {
      throw new Error(`two handlers for ${spec.topic.name} in consumer group ${this.o.group}`);
    }
    const check = compile(spec.topic.value as TSchema);
    const idempotent = (spec.idempotency ?? (this.o.pool ? 'postgres' : 'none')) === 'postgres';
    if (idempotent && !this.o.pool) {
      throw new Error(`${spec.topic.name}: idempotency 'postgres' needs the service to have a database`);
    }
    this.handlers.set(spec.topic.name, {
      spec,
      validate: (v) => {
        const r = check.validate(v);
        return r.ok ? { ok: true } : { ok: false, message: r.error.message };
      },
      maxAttempts: spec.maxAttempts ?? 5,
      backoff: { ...DEFAULT_BACKOFF, ...spec.backoff },
      idempotent,
    });
  }

  readinessCheck = (): true | string => (this.joined ? true : `consumer group ${this.o.group} not joined yet`);

  async start(): Promise<void> {
    const consumer = createConsumer(this.o.kafka, {
      groupId: this.o.group,
      readUncommitted: false,
      maxWaitTimeInMs: 250,
      sessionTimeout: this.o.sessionTimeoutMs,
      heartbeatInterval: Math.max(500, Math.floor(this.o.sessionTimeoutMs / 10)),
      // How long a rebalance waits for members to rejoin: a killed replica never does, so this
      // bounds how long the others stand still (kafkajs' default is 60 s). Batches hand their
      // records over and return at once, so live members rejoin quickly.
      rebalanceTimeout: this.o.sessionTimeoutMs * 2,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.joined = true;
    });
    consumer.on(consumer.events.REBALANCING, () => {
      void this.commitAll().finally(() => this.abandonAll());
    });
    consumer.on(consumer.events.CRASH, (e) => {
      this.joined = false;
      this.o.logger.error(
        { err: e.payload.error, restart: e.payload.restart, group: this.o.group },
        'consumer crashed',
      );
    });
    await consumer.connect();
    for (const topic of this.handlers.keys()) await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.o.partitionsConsumedConcurrently ?? 3,
      eachBatch: (payload) => this.eachBatch(payload),
    });
    this.commitTimer = setInterval(() => void this.commitAll(), COMMIT_INTERVAL_MS);
    this.commitTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.commitTimer);
    // Records being handled finish (nothing new starts); their progress is committed.
    await Promise.all([...this.work.values()].map((w) => w.idle()));
    await this.commitAll();
    this.abandonAll();
    await this.consumer?.stop().catch(() => {});
    await this.consumer?.disconnect().catch(() => {});
    this.consumer = undefined;
    this.joined = false;
  }

  private async eachBatch({ batch, isRunning, isStale, heartbeat, resolveOffset }: EachBatchPayload): Promise<void> {
    const handler = this.handlers.get(batch.topic);
    if (!handler || batch.messages.length === 0) return;
    const id = `${batch.topic}\u0000${batch.partition}`;
    let work = this.work.get(id);
    if (!work) {
      work = new PartitionWork(handler.spec.keyConcurrency ?? 8);
      this.work.set(id, work);
    }
    const w = work;
    const alive = () => isRunning() && !isStale() && !this.stopping && !w.abandoned;
    for (const m of batch.messages) {
      w.add(m.key?.toString('utf8') ?? '', BigInt(m.offset), async () => {
        if (!alive()) return false;
        return (await this.process(handler, batch.topic, batch.partition, m, alive, heartbeat)) !== undefined;
      });
    }
    // Handed over to the partition's work: kafkajs fetches on from here (commits are ours).
    resolveOffset(batch.lastOffset());
    this.o.metrics.lag.set(
      { topic: batch.topic, group: this.o.group, partition: String(batch.partition) },
      Number(batch.offsetLag()),
    );
    // Backpressure: fetch more only while the partition has room for it.
    while (alive() && !(await w.below(MAX_IN_FLIGHT, 1000))) await heartbeat().catch(() => {});
    await this.commit(batch.topic, batch.partition, w);
    await heartbeat().catch(() => {});
  }

  /** Commits a partition's progress: everything below its lowest unfinished record. */
  private async commit(topic: string, partition: number, w: PartitionWork): Promise<void> {
    const offset = w.committable();
    if (offset === undefined || (w.committed !== undefined && offset <= w.committed) || w.abandoned) return;
    try {
      await this.consumer?.commitOffsets([{ topic, partition, offset: offset.toString() }]);
      w.committed = offset;
    } catch (err) {
      // A rebalance took the partition away meanwhile: its next owner starts from the last commit.
      this.o.logger.debug({ err: (err as Error).message, topic, partition }, 'offset commit skipped');
    }
  }

  /** Commits the progress of every partition (a timer does it between batches). */
  private async commitAll(): Promise<void> {
    for (const [id, w] of this.work) {
      const [topic, partition] = id.split('\u0000') as [string, string];
      await this.commit(topic, Number(partition), w);
    }
  }

  /** A rebalance: whatever runs finishes its record, nothing new starts, the new owner resumes. */
  private abandonAll(): void {
    for (const w of this.work.values()) w.abandoned = true;
    this.work.clear();
  }

  /** Handles one record to an outcome; undefined when interrupted (stop, rebalance) before one. */
  async process(
    handler: Handler,
    topic: string,
    partition: number,
    m: KafkaMessage,
    alive: () => boolean,
    heartbeat: () => Promise<void>,
  ): Promise<Outcome | undefined> {
    const started = performance.now();
    const labels = { topic, group: this.o.group };
    const outcome = await this.traced(topic, partition, m, () =>
      this.outcome(handler, topic, partition, m, alive, heartbeat),
    );
    if (outcome === undefined) return undefined;

    this.o.metrics.events.inc({ ...labels, outcome });
    this.o.metrics.duration.observe(labels, (performance.now() - started) / 1000);
    return outcome;
  }

  /**
   * With tracing on, a consumer span under the record's `traceparent` header, active while the
   * handler runs: what it logs and the events it enqueues continue the producer's trace.
   */
  private async traced(
    topic: string,
    partition: number,
    m: KafkaMessage,
    run: () => Promise<Outcome | undefined>,
  ): Promise<Outcome | undefined> {
    if (!tracing().enabled) return run();
    const span = startConsumerSpan(
      `process ${topic}`,
      { topic, partition, offset: m.offset, traceparent: headerString(m.headers, 'traceparent') },
      { 'messaging.consumer.group.name': this.o.group },
    );
    try {
      const outcome = await withSpan(span, run);
      span.setAttribute('wattstream.outcome', outcome ?? 'interrupted');
      return outcome;
    } finally {
      span.end();
    }
  }

  private async outcome(
    handler: Handler,
    topic: string,
    partition: number,
    m: KafkaMessage,
    alive: () => boolean,
    heartbeat: () => Promise<void>,
  ): Promise<Outcome | undefined> {
    const dead = (code: string, reason: string, attempts: number) =>
      this.deadLetter(topic, partition, m, code, reason, attempts, alive);
    const ce = parseCloudEventHeaders(m.headers as Parameters<typeof parseCloudEventHeaders>[0]);
    if (!ce) return dead(KernelErrorCode.ConsumerBadRecord, 'missing CloudEvents headers (ce_id, ce_type, …)', 0);
    let value: unknown = null;
    if (m.value === null) {
      if (!handler.spec.tombstones) return 'skipped';
    } else {
      try {
        value = JSON.parse(m.value.toString('utf8'));
      } catch (err) {
        return dead(KernelErrorCode.ConsumerBadRecord, `value is not JSON: ${(err as Error).message}`, 0);
      }
      const v = handler.validate(value);
      if (!v.ok) return dead(KernelErrorCode.ConsumerBadRecord, v.message, 0);
    }
    const event: ConsumedEvent<unknown> = {
      topic,
      partition,
      offset: m.offset,
      key: m.key?.toString('utf8') ?? null,
      value,
      ce,
      timestamp: Number(m.timestamp),
    };
    let attempts = 0;
    for (;;) {
      try {
        return (await this.handleOnce(handler, event)) ? 'handled' : 'duplicate';
      } catch (err) {
        if (!alive()) return undefined;
        if (isDbUnavailable(err) || isWattstreamError(err, KernelErrorCode.DbUnavailable)) {
          // Waiting out an outage costs no attempt: no record could succeed meanwhile.
          this.o.logger.warn(
            { topic, group: this.o.group, err: (err as Error).message },
            'database unavailable; waiting',
          );
          if (!(await waitAlive(backoffDelay(3, handler.backoff) + 500, alive, heartbeat))) return undefined;
          continue;
        }
        attempts++;
        if (isPermanent(err)) {
          return dead(KernelErrorCode.ConsumerRejected, describe(err), attempts);
        }
        if (attempts >= handler.maxAttempts) {
          return dead(KernelErrorCode.ConsumerHandlerFailed, describe(err), attempts);
        }
        this.o.metrics.retries.inc({ topic, group: this.o.group });
        this.o.logger.warn(
          { topic, group: this.o.group, offset: m.offset, ceId: ce.id, attempts, err: describe(err) },
          'handler failed; retrying with backoff',
        );
        if (!(await waitAlive(backoffDelay(attempts, handler.backoff), alive, heartbeat))) return undefined;
      }
    }
  }

  /** Runs the handler once; false when the event was handled before (a redelivery). */
  async handleOnce(handler: Handler, event: ConsumedEvent<unknown>): Promise<boolean> {
    if (!handler.idempotent || !this.o.pool) {
      await handler.spec.handle(event as never, undefined);
      return true;
    }
    return withTransaction(this.o.pool, async (tx) => {
      const r = await tx.query(
        `INSERT INTO kernel_processed_events (consumer_group, event_id, topic) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING`,
        [this.o.group, event.ce.id, event.topic],
      );
      if (r.rowCount === 0) return false;
      await handler.spec.handle(event as never, tx);
      return true;
    });
  }

  private async deadLetter(
    topic: string,
    partition: number,
    m: KafkaMessage,
    code: string,
    reason: string,
    attempts: number,
    alive: () => boolean,
  ): Promise<Outcome | undefined> {
    const producer = await this.o.producer();
    const ok = await sendDeadLetter(
      producer,
      {
        key: m.key,
        value: m.value,
        headers: m.headers,
        topic,
        partition,
        offset: m.offset,
        group: this.o.group,
        attempts,
        code,
        reason,
      },
      alive,
      (err, attempt) =>
        this.o.logger.error({ err: err.message, topic, attempt }, 'cannot write the dead letter yet; retrying'),
    );
    if (!ok) return undefined;
    this.o.metrics.deadLetters.inc({ topic, group: this.o.group, code });
    this.o.logger.error(
      { code, topic, partition, offset: m.offset, group: this.o.group, attempts, reason },
      'record dead-lettered; the partition moves on',
    );
    return 'dead-lettered';
  }

  /** The handler of `topic` (DLQ replay runs records through it). */
  handlerFor(topic: string): Handler | undefined {
    return this.handlers.get(topic);
  }
}

function isPermanent(err: unknown): boolean {
  return isWattstreamError(err) && err.statusCode >= 400 && err.statusCode < 500;
}

function describe(err: unknown): string {
  return isWattstreamError(err) ? `${err.code}: ${err.message}` : ((err as Error)?.message ?? String(err));
}

export type { Handler as ConsumerHandler };
