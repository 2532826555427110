import { headerString, type IHeaders, type KafkaClient, type KafkaMessage, type Logger } from '@wattstream/platform';
import type { Pool } from '../db/postgres.js';
import type { ConsumerGroup, Outcome } from './consumer.js';
import { DLQ_HEADER, dlqTopicName } from './dlq.js';
import { TopicReader } from './topic-reader.js';

export interface DeadLetterEntry {
  dlqPartition: number;
  dlqOffset: string;
  key: string | null;
  ceId: string | undefined;
  ceType: string | undefined;
  code: string | undefined;
  reason: string | undefined;
  topic: string;
  partition: number;
  offset: string;
  attempts: number;
  group: string | undefined;
  failedAt: string | undefined;
  /** True when this group has handled the event since (a replay, or a later redelivery). */
  handled?: boolean;
}

interface Raw {
  entry: DeadLetterEntry;
  message: KafkaMessage;
}

const READ_TIMEOUT_MS = 60_000;

async function readDeadLetters(kafka: KafkaClient, topic: string, logger: Logger): Promise<Raw[]> {
  const out: Raw[] = [];
  const reader = new TopicReader(kafka, dlqTopicName(topic), 'dlq-reader', logger, (key, _value, partition, m) => {
    const h = (name: string) => headerString(m.headers, name);
    out.push({
      message: m,
      entry: {
        dlqPartition: partition,
        dlqOffset: m.offset,
        key: key === '' && m.key === null ? null : key,
        ceId: h('ce_id'),
        ceType: h('ce_type'),
        code: h(DLQ_HEADER.code),
        reason: h(DLQ_HEADER.reason),
        topic: h(DLQ_HEADER.topic) ?? topic,
        partition: Number(h(DLQ_HEADER.partition) ?? -1),
        offset: h(DLQ_HEADER.offset) ?? '-1',
        attempts: Number(h(DLQ_HEADER.attempts) ?? 0),
        group: h(DLQ_HEADER.group),
        failedAt: h(DLQ_HEADER.failedAt),
      },
    });
  });
  await reader.start();
  try {
    await reader.caughtUp(READ_TIMEOUT_MS);
  } finally {
    await reader.stop();
  }
  return out;
}

/** The dead letters of `topic` (optionally of one group), each marked handled when it since was. */
export async function listDeadLetters(
  kafka: KafkaClient,
  topic: string,
  logger: Logger,
  opts: { group?: string; pool?: Pool } = {},
): Promise<DeadLetterEntry[]> {
  const all = (await readDeadLetters(kafka, topic, logger)).map((r) => r.entry);
  const entries = opts.group === undefined ? all : all.filter((e) => e.group === opts.group);
  if (opts.pool && entries.length > 0) {
    const ids = entries.map((e) => e.ceId).filter((id): id is string => id !== undefined);
    const { rows } = await opts.pool.query<{ consumer_group: string; event_id: string }>(
      'SELECT consumer_group, event_id FROM kernel_processed_events WHERE topic = $1 AND event_id = ANY($2::text[])',
      [topic, ids],
    );
    const done = new Set(rows.map((r) => `${r.consumer_group}\u0000${r.event_id}`));
    for (const e of entries) e.handled = done.has(`${e.group}\u0000${e.ceId}`);
  }
  return entries;
}

export interface ReplaySummary {
  replayed: number;
  outcomes: Record<Outcome, number>;
}

/**
 * Runs this group's dead letters of `topic` (or those with the given `ce_id`s) through the group's
 * handler again, as if redelivered: the handler's idempotency makes a second replay change
 * nothing, and a record that still fails is dead-lettered again with its new reason.
 */
export async function replayDeadLetters(
  group: ConsumerGroup,
  kafka: KafkaClient,
  topic: string,
  logger: Logger,
  opts: { ids?: string[] } = {},
): Promise<ReplaySummary> {
  const handler = group.handlerFor(topic);
  if (!handler) throw new Error(`consumer group ${group.group} has no handler for ${topic}`);
  const raws = (await readDeadLetters(kafka, topic, logger)).filter(
    (r) =>
      r.entry.group === group.group &&
      (opts.ids === undefined || (r.entry.ceId !== undefined && opts.ids.includes(r.entry.ceId))),
  );
  const outcomes: Record<Outcome, number> = { handled: 0, duplicate: 0, skipped: 0, 'dead-lettered': 0 };
  for (const { entry, message } of raws) {
    const original = { ...message, offset: entry.offset, headers: withoutDlqHeaders(message.headers) } as KafkaMessage;
    const outcome = await group.process(
      handler,
      entry.topic,
      entry.partition,
      original,
      () => true,
      async () => {},
    );
    if (outcome) outcomes[outcome]++;
  }
  return { replayed: raws.length, outcomes };
}

const DLQ_NAMES = new Set<string>(Object.values(DLQ_HEADER));

function withoutDlqHeaders(headers: IHeaders | undefined): IHeaders {
  return Object.fromEntries(Object.entries(headers ?? {}).filter(([k]) => !DLQ_NAMES.has(k)));
}
