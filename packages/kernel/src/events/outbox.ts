import { randomUUID } from 'node:crypto';
import type { Static, TSchema } from '@sinclair/typebox';
import { cloudEventHeaders, compile, type KafkaTopicContract } from '@wattstream/contracts';
import { traceparentOf } from '@wattstream/platform';
import type { Queryable } from '../db/postgres.js';
import { KernelErrorCode, kernelError } from '../errors.js';

/** The channel the relay LISTENs on; an insert NOTIFYs it, delivered when the transaction commits. */
export const OUTBOX_CHANNEL = 'kernel_outbox';

export interface OutboxEvent<T extends KafkaTopicContract = KafkaTopicContract> {
  topic: T;
  /** The record key named by the contract (e.g. the athlete id). */
  key: string;
  /** The event; `null` writes a tombstone (compacted topics). */
  value: Static<T['value']> | null;
  /** CloudEvents id; a random UUID unless the event has a deterministic one. */
  id?: string;
  subject?: string;
  time?: Date | number;
  /** W3C trace context; by default the active span's (the request or record being handled). */
  traceparent?: string;
}

/**
 * The writing side of the transactional outbox. `enqueue` runs inside the caller's transaction,
 * next to the state change, so the event exists exactly when the change does. The value is checked
 * against its contract here: an event that would break consumers fails the transaction instead.
 */
export class Outbox {
  constructor(private readonly source: string) {}

  async enqueue(tx: Queryable, ...events: OutboxEvent[]): Promise<void> {
    if (events.length === 0) return;
    const topics: string[] = [];
    const keys: string[] = [];
    const values: (string | null)[] = [];
    const headers: string[] = [];
    const active = traceparentOf();
    for (const e of events) {
      if (e.value !== null) {
        const r = compile(e.topic.value as TSchema).validate(e.value);
        if (!r.ok) {
          throw kernelError(
            KernelErrorCode.OutboxInvalidEvent,
            `event for ${e.topic.name} does not match its contract: ${r.error.message}`,
            { cause: r.error },
          );
        }
      }
      const attrs = cloudEventHeaders({
        type: e.topic.name,
        id: e.id ?? randomUUID(),
        source: this.source,
        time: e.time ?? Date.now(),
        ...(e.subject === undefined ? {} : { subject: e.subject }),
        ...((e.traceparent ?? active) === undefined ? {} : { traceparent: e.traceparent ?? active }),
      });
      topics.push(e.topic.name);
      keys.push(e.key);
      values.push(e.value === null ? null : JSON.stringify(e.value));
      headers.push(JSON.stringify(attrs));
    }
    await tx.query(
      `INSERT INTO kernel_outbox (topic, key, value, headers)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[])`,
      [topics, keys, values, headers],
    );
    await tx.query(`SELECT pg_notify('${OUTBOX_CHANNEL}', '')`);
  }
}
