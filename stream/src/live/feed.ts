import { randomUUID } from 'node:crypto';
import { isValidId, liveChannel, type StatsUpdated } from '@wattstream/contracts';
import {
  type Admin,
  type Consumer,
  createConsumer,
  headerString,
  type KafkaClient,
  type KafkaMessage,
  retryKafka,
  type Span,
  startConsumerSpan,
  traceparentOfSpan,
  tracing,
} from '@wattstream/platform';
import { frames } from './frames.js';

export interface FeedSink {
  publish(name: string, seq: number, t: number, raw: string, frame: Buffer): void;
  flush(): void;
}

/**
 * The stats a record carries, or undefined when it is not one (a record that is not a stats object
 * must never reach a client as a broken frame): the key is the athlete, the value a StatsUpdated
 * of that athlete with an integer seq.
 */
export function statsRecord(
  m: Pick<KafkaMessage, 'key' | 'value'>,
): { athleteId: string; seq: number; raw: string } | undefined {
  if (m.value === null) return undefined;
  const athleteId = m.key?.toString('utf8') ?? '';
  if (!isValidId(athleteId)) return undefined;
  const raw = m.value.toString('utf8');
  let parsed: Partial<StatsUpdated>;
  try {
    parsed = JSON.parse(raw) as Partial<StatsUpdated>;
  } catch {
    return undefined;
  }
  const seq = parsed.seq;
  if (parsed.athleteId !== athleteId || typeof seq !== 'number' || !Number.isInteger(seq) || seq < 0) return undefined;
  return { athleteId, seq, raw };
}

/**
 * Follows `tracking.stats.updated`: every live node reads every partition, from LIVE_HISTORY ago,
 * and commits nothing. Each record becomes one `stats` frame on `athlete:<id>`, encoded once.
 */
export class StatsFeed {
  private consumer: Consumer | undefined;
  bad = 0;

  constructor(
    private readonly kafka: KafkaClient,
    private readonly admin: Admin,
    private readonly topic: string,
    private readonly instance: string,
    private readonly sink: FeedSink,
    private readonly onStats: (athleteId: string) => void,
    /**
     * Seconds from a record's Kafka timestamp to its frame's fan-out, for records produced after the
     * feed started (the replayed history would only measure how old the history is).
     */
    private readonly onDelay?: (seconds: number) => void,
  ) {}

  async start(historyMs: number): Promise<void> {
    const startedAt = Date.now();
    const consumer = createConsumer(this.kafka, {
      groupId: `live-stats-${this.instance}-${randomUUID()}`,
      maxWaitTimeInMs: 50,
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topic: this.topic, fromBeginning: false });
    const traced = tracing().enabled;
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          const s = statsRecord(m);
          if (!s) {
            if (m.value !== null) this.bad++;
            continue;
          }
          const name = liveChannel.athlete(s.athleteId);
          const ts = Number(m.timestamp);
          const span = traced ? this.fanoutSpan(m, batch.partition, name) : undefined;
          const traceparent = span?.isRecording() ? traceparentOfSpan(span) : undefined;
          this.sink.publish(name, s.seq, ts, s.raw, frames.stats(name, s.seq, s.raw, traceparent));
          span?.end();
          if (this.onDelay && ts >= startedAt) this.onDelay(Math.max(0, Date.now() - ts) / 1000);
          this.onStats(s.athleteId);
        }
        this.sink.flush();
      },
    });
    const from = await retryKafka(() => this.admin.fetchTopicOffsetsByTimestamp(this.topic, Date.now() - historyMs));
    for (const { partition, offset } of from) consumer.seek({ topic: this.topic, partition, offset });
  }

  /**
   * The `live fanout` span of a traced stats record (child of the worker's span); its context goes
   * into the frame, the trace's last hop, which a client may continue. Untraced records get none.
   */
  private fanoutSpan(
    m: Pick<KafkaMessage, 'headers' | 'offset'>,
    partition: number,
    channel: string,
  ): Span | undefined {
    const traceparent = headerString(m.headers, 'traceparent');
    if (traceparent === undefined) return undefined;
    return startConsumerSpan(
      'live fanout',
      { topic: this.topic, partition, offset: m.offset, traceparent },
      { 'wattstream.channel': channel },
    );
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect().catch(() => {});
  }
}
