import type { KafkaTopicContract } from '@wattstream/contracts';
import type { IHeaders, Producer } from '@wattstream/platform';
import type { TopicSpec } from '../kafka.js';
import { backoffDelay } from './retry.js';

const DAY_MS = 86_400_000;

/** `<topic>.dlq`: where a consumer parks a record it cannot handle, with headers saying why. */
export const dlqTopicName = (topic: string): string => `${topic}.dlq`;

export function dlqTopic(topic: Pick<KafkaTopicContract, 'name'>): TopicSpec {
  return {
    name: dlqTopicName(topic.name),
    configs: { 'cleanup.policy': 'delete', 'retention.ms': String(30 * DAY_MS), 'max.message.bytes': '1048576' },
  };
}

/** Header names of a dead letter (besides the original record's headers, kept as they were). */
export const DLQ_HEADER = {
  code: 'dlq_reason_code',
  reason: 'dlq_reason',
  topic: 'dlq_original_topic',
  partition: 'dlq_original_partition',
  offset: 'dlq_original_offset',
  attempts: 'dlq_attempts',
  group: 'dlq_consumer_group',
  failedAt: 'dlq_failed_at',
} as const;

export interface DeadLetter {
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers: IHeaders | undefined;
  topic: string;
  partition: number;
  offset: string;
  group: string;
  attempts: number;
  code: string;
  reason: string;
}

/**
 * Writes a dead letter, retrying until Kafka takes it: a record is only let go of once it is safe
 * in the DLQ. `alive()` false stops the retries (the partition moved; its next owner redoes it).
 */
export async function sendDeadLetter(
  producer: Producer,
  d: DeadLetter,
  alive: () => boolean,
  onRetry?: (err: Error, attempt: number) => void,
): Promise<boolean> {
  const headers: IHeaders = {
    ...(d.headers ?? {}),
    [DLQ_HEADER.code]: d.code,
    [DLQ_HEADER.reason]: d.reason.slice(0, 2000),
    [DLQ_HEADER.topic]: d.topic,
    [DLQ_HEADER.partition]: String(d.partition),
    [DLQ_HEADER.offset]: d.offset,
    [DLQ_HEADER.attempts]: String(d.attempts),
    [DLQ_HEADER.group]: d.group,
    [DLQ_HEADER.failedAt]: new Date().toISOString(),
  };
  for (let attempt = 1; ; attempt++) {
    try {
      await producer.send({
        topic: dlqTopicName(d.topic),
        acks: -1,
        messages: [{ key: d.key, value: d.value, headers }],
      });
      return true;
    } catch (err) {
      if (!alive()) return false;
      if (attempt === 1 || attempt % 20 === 0) onRetry?.(err as Error, attempt);
      await new Promise((r) => setTimeout(r, backoffDelay(attempt, { initialMs: 200, maxMs: 5000 })));
    }
  }
}
