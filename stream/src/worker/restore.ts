import { TopicReader } from '@wattstream/kernel';
import {
  type Admin,
  createProducer,
  type KafkaClient,
  type Logger,
  type Producer,
  retryKafka,
  WattstreamError,
} from '@wattstream/platform';
import { StreamErrorCode } from '../errors.js';
import { newOutbox, PartitionState } from '../processor.js';
import { decodeState, type EncodedState, STATE_FORMAT_VERSION } from '../state-codec.js';
import type { StreamTopics } from '../topics.js';
import type { WorkerMetrics } from './metrics.js';
import type { Part } from './part.js';

const RESTORE_TIMEOUT_MS = 120_000;

/**
 * A partition's state from its changelog snapshots (`athleteId` → the snapshot's JSON). One
 * unreadable snapshot costs that athlete's open session, never the partition. The partition's
 * arrival clock starts at the latest arrival any athlete had.
 */
export function stateFromSnapshots(p: number, snapshots: Iterable<[string, string]>, logger: Logger): PartitionState {
  const state = new PartitionState(p);
  for (const [athleteId, raw] of snapshots) {
    try {
      const snap = JSON.parse(raw) as { v: number; state: EncodedState };
      if (snap.v !== STATE_FORMAT_VERSION) throw new Error(`unknown state format v${snap.v}`);
      const a = decodeState(athleteId, snap.state);
      state.athletes.set(athleteId, a);
      if (a.lastArrival > state.clock) state.clock = a.lastArrival;
    } catch (err) {
      logger.error({ err, athleteId, partition: p }, 'state snapshot unreadable; athlete starts afresh');
    }
  }
  return state;
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

export interface RestorerOptions {
  kafka: KafkaClient;
  admin: Admin;
  /** A plain producer, for the changelog barrier markers. */
  plain: Producer;
  topics: StreamTopics;
  groupId: string;
  transactionTimeoutMs: number;
  instance: string;
  metrics: WorkerMetrics;
  logger: Logger;
}

/**
 * Takes partitions over. Every worker follows the whole changelog (a warm standby of every
 * partition), so a takeover needs only: fence the previous owner (initialise the partition's
 * transactional id), a barrier on the changelog partition (everything committed before is read),
 * the snapshots, and the group's committed input offset.
 */
export class Restorer {
  private readonly warm = new Map<number, Map<string, string>>();
  private readonly changelog: TopicReader;

  constructor(private readonly o: RestorerOptions) {
    this.changelog = new TopicReader(
      o.kafka,
      o.topics.changelog,
      `stream-changelog-${o.instance}`,
      o.logger,
      (key, value, p) => {
        let table = this.warm.get(p);
        if (table === undefined) {
          table = new Map();
          this.warm.set(p, table);
        }
        if (value === null) table.delete(key);
        else table.set(key, value.toString('utf8'));
      },
    );
  }

  start(): Promise<void> {
    return this.changelog.start();
  }

  stop(): Promise<void> {
    return this.changelog.stop();
  }

  async restore(p: number): Promise<Part> {
    const t0 = Date.now();
    const { o } = this;
    // First fence the previous owner: its open transaction is aborted (or, if already being
    // committed, completed) before the barrier below reads what was committed.
    const tx = createProducer(o.kafka, {
      transactionalId: `${o.groupId}-p${p}`,
      transactionTimeout: o.transactionTimeoutMs,
    });
    await retryKafka(() => initTransactions(tx));
    const ok = await this.changelog.barrier(
      (key, partition) =>
        o.plain.send({ topic: o.topics.changelog, acks: -1, messages: [{ key, value: null, partition }] }),
      p,
      RESTORE_TIMEOUT_MS,
    );
    if (!ok) {
      await tx.disconnect().catch(() => {});
      throw new WattstreamError(
        StreamErrorCode.RestoreTimeout,
        `could not read the state changelog ${o.topics.changelog} partition ${p} to its end within ${RESTORE_TIMEOUT_MS} ms; is Kafka healthy?`,
      );
    }
    const state = stateFromSnapshots(p, this.warm.get(p) ?? [], o.logger);
    const offsets = await retryKafka(() => o.admin.fetchOffsets({ groupId: o.groupId, topics: [o.topics.metrics] }));
    const committed = Number(offsets[0]?.partitions.find((x) => x.partition === p)?.offset ?? '-1');
    o.metrics.restores.inc();
    o.metrics.restoreSeconds.observe((Date.now() - t0) / 1000);
    o.logger.info(
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
}
