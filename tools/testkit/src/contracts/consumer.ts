import { DLQ_HEADER, dlqTopicName } from '@wattstream/kernel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, produceEvent, testKafka } from '../kafka.js';
import { waitFor } from '../wait.js';

export interface ConsumerContractOptions {
  /** Names the suite: `consumer contract: <name>`. */
  name: string;
  /** The consumed topic. */
  topic: string;
  /** The service's consumer group for that topic. */
  group: string;
  /** Starts the service (consuming); the suite stops it at the end. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** A valid event for the topic, different for each `i`, all with the same key. */
  event(i: number): { key: string; value: unknown; id: string };
  /** How many times the service applied the effect of the event with this `ce_id`. */
  effects(id: string): Promise<number>;
  /** Re-drives the service's dead letters of the topic (`dlq replay`). */
  replay(): Promise<unknown>;
}

/**
 * The idempotent-consumer contract every consumer of a service passes: a redelivered event has one
 * effect; poison (not JSON, breaking the contract, no CloudEvents headers) is dead-lettered with
 * its reason and never stops the partition; replaying a dead letter twice has one effect.
 */
export function consumerContract(o: ConsumerContractOptions): void {
  describe(`consumer contract: ${o.name}`, () => {
    const kafka = testKafka(`consumer-contract-${o.name}`);
    let dlq: Awaited<ReturnType<typeof collect>>;
    beforeAll(async () => {
      await o.start();
      dlq = await collect(kafka, dlqTopicName(o.topic));
    }, 120_000);
    afterAll(async () => {
      await dlq?.stop();
      await o.stop();
    });

    it('applies an event once when it is delivered twice', async () => {
      const a = o.event(0);
      const b = o.event(1);
      await produceEvent(kafka, o.topic, a);
      await waitFor(async () => (await o.effects(a.id)) === 1, { what: 'the first delivery', timeoutMs: 30_000 });
      await produceEvent(kafka, o.topic, a);
      await produceEvent(kafka, o.topic, b);
      await waitFor(async () => (await o.effects(b.id)) === 1, { what: 'the event after the redelivery' });
      expect(await o.effects(a.id)).toBe(1);
    }, 60_000);

    it('dead-letters poison with its reason and keeps consuming the partition', async () => {
      const good = o.event(2);
      await produceEvent(kafka, o.topic, { key: good.key, value: null, raw: '{not json', id: `${good.id}-bad-json` });
      await produceEvent(kafka, o.topic, { key: good.key, value: { unexpected: true }, id: `${good.id}-bad-schema` });
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({
        topic: o.topic,
        acks: -1,
        messages: [{ key: good.key, value: JSON.stringify(good.value) }],
      });
      await producer.disconnect();
      await produceEvent(kafka, o.topic, good);
      await waitFor(async () => (await o.effects(good.id)) === 1, { what: 'the good event after the poison' });
      const mine = () => dlq.records.filter((r) => r.key === good.key && r.headers[DLQ_HEADER.group] === o.group);
      await waitFor(() => mine().length >= 3, { what: 'three dead letters' });
      for (const r of mine()) {
        expect(r.headers).toMatchObject({
          [DLQ_HEADER.code]: 'WS_CONSUMER_BAD_RECORD',
          [DLQ_HEADER.topic]: o.topic,
          [DLQ_HEADER.group]: o.group,
          [DLQ_HEADER.partition]: expect.stringMatching(/^\d+$/),
          [DLQ_HEADER.offset]: expect.stringMatching(/^\d+$/),
        });
        expect(r.headers[DLQ_HEADER.reason]?.length).toBeGreaterThan(5);
      }
    }, 60_000);

    it('applies a dead letter replayed twice once', async () => {
      const e = o.event(3);
      // A dead letter of this group, as the runner writes one after the handler gave up.
      await produceEvent(kafka, dlqTopicName(o.topic), {
        ...e,
        headers: {
          [DLQ_HEADER.code]: 'WS_CONSUMER_HANDLER_FAILED',
          [DLQ_HEADER.reason]: 'failed in a test',
          [DLQ_HEADER.topic]: o.topic,
          [DLQ_HEADER.partition]: '0',
          [DLQ_HEADER.offset]: '0',
          [DLQ_HEADER.attempts]: '5',
          [DLQ_HEADER.group]: o.group,
          [DLQ_HEADER.failedAt]: new Date().toISOString(),
        },
      });
      await waitFor(() => dlq.records.some((r) => r.headers.ce_id === e.id), { what: 'the dead letter' });
      expect(await o.effects(e.id)).toBe(0);
      await o.replay();
      expect(await o.effects(e.id)).toBe(1);
      await o.replay();
      expect(await o.effects(e.id)).toBe(1);
    }, 120_000);
  });
}
