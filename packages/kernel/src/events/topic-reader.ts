import { randomUUID } from 'node:crypto';
import {
  type Consumer,
  createConsumer,
  type KafkaClient,
  type KafkaMessage,
  type Logger,
  retryKafka,
} from '@wattstream/platform';

export type RecordHandler = (key: string, value: Buffer | null, partition: number, message: KafkaMessage) => void;

/**
 * Reads a whole topic, every partition, from the beginning and keeps following it — how a process
 * learns the latest value per key of a compacted topic (profiles, groups, permissions, a state
 * changelog) or lists a dead-letter topic. A consumer group of one with a unique id and no
 * commits: nothing to clean up, and several processes never share the work. Transactions are
 * honoured (read_committed).
 */
export class TopicReader {
  private consumer: Consumer | undefined;
  private readonly seen = new Map<number, bigint>();
  private readonly barriers = new Map<string, () => void>();
  private progress: (() => void)[] = [];

  constructor(
    private readonly kafka: KafkaClient,
    readonly topic: string,
    private readonly name: string,
    private readonly logger: Logger,
    private readonly onRecord: RecordHandler,
  ) {}

  async start(): Promise<void> {
    const consumer = createConsumer(this.kafka, {
      groupId: `${this.name}-${randomUUID()}`,
      readUncommitted: false,
      maxWaitTimeInMs: 100,
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          const key = m.key?.toString('utf8') ?? '';
          if (key.startsWith('#barrier:')) {
            this.barriers.get(key)?.();
            this.barriers.delete(key);
            continue;
          }
          try {
            this.onRecord(key, m.value, batch.partition, m);
          } catch (err) {
            this.logger.warn({ err, topic: this.topic, offset: m.offset }, 'record skipped');
          }
        }
        this.seen.set(batch.partition, BigInt(batch.lastOffset()));
        const waiting = this.progress;
        this.progress = [];
        for (const w of waiting) w();
      },
    });
  }

  /**
   * Resolves once every record that was in the topic when called has been read, by the high
   * watermarks (for topics written without transactions). Gives up after `timeoutMs`.
   */
  async caughtUp(timeoutMs: number): Promise<boolean> {
    const admin = this.kafka.admin();
    await admin.connect();
    let targets: { partition: number; high: bigint }[];
    try {
      targets = (await retryKafka(() => admin.fetchTopicOffsets(this.topic)))
        .map((o) => ({ partition: o.partition, high: BigInt(o.high), low: BigInt(o.low) }))
        .filter((o) => o.high > o.low);
    } finally {
      await admin.disconnect();
    }
    const done = () => targets.every((t) => (this.seen.get(t.partition) ?? -1n) + 1n >= t.high);
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) return false;
      await new Promise<void>((resolve) => {
        this.progress.push(resolve);
        setTimeout(resolve, 100).unref();
      });
    }
    return true;
  }

  /**
   * Resolves once this reader has read a marker written now to `partition`, i.e. everything
   * committed there before (transactional topics, where offsets do not tell). The marker is a
   * tombstone under a key no id can have, so compaction removes it.
   */
  async barrier(
    send: (key: string, partition: number) => Promise<unknown>,
    partition: number,
    timeoutMs: number,
  ): Promise<boolean> {
    const key = `#barrier:${randomUUID()}`;
    const seen = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        this.barriers.delete(key);
        resolve(false);
      }, timeoutMs);
      timer.unref();
      this.barriers.set(key, () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    await send(key, partition);
    return seen;
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect().catch(() => {});
    this.consumer = undefined;
  }
}
