import { OUTBOX_LEADER_LOCK } from '@wattstream/kernel';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CollectedRecord, collect, testKafka } from '../kafka.js';
import type { ServiceProcess } from '../service-process.js';
import { waitFor } from '../wait.js';

export interface OutboxContractOptions {
  /** Names the suite: `outbox contract: <name>`. */
  name: string;
  /** The topic the service's changes emit to. */
  topic: string;
  /** The service's database (where `kernel_outbox` lives). */
  databaseUrl(): string;
  /** A new child process of the service (not started), sharing the database and topic. */
  process(): Promise<ServiceProcess>;
  /**
   * Makes `count` state changes of one aggregate (named by the suite; the service maps the name to
   * an aggregate of its own, the same one each time) through the service's API at `baseUrl`, and
   * returns the Kafka key of its events and the `ce_id`s of the events the changes emitted, in order.
   */
  change(baseUrl: string, aggregate: string, count: number): Promise<{ key: string; ids: string[] }>;
  /** Where a started process answers HTTP. */
  url(p: ServiceProcess): string;
}

const ids = (records: CollectedRecord[], key: string) =>
  records.filter((r) => r.key === key).map((r) => r.headers.ce_id ?? '');

/**
 * The transactional-outbox contract every service with an outbox passes: events reach Kafka in
 * commit order per key, with CloudEvents headers; a crash between commit and publish loses
 * nothing; at worst an event is published twice under the same `ce_id`; of two replicas only one
 * publishes.
 */
export function outboxContract(o: OutboxContractOptions): void {
  describe(`outbox contract: ${o.name}`, () => {
    const kafka = testKafka(`outbox-contract-${o.name}`);
    let out: Awaited<ReturnType<typeof collect>>;
    let svc: ServiceProcess;
    beforeAll(async () => {
      svc = await o.process();
      await svc.start(); // creates the topic
      out = await collect(kafka, o.topic);
    }, 120_000);
    afterAll(async () => {
      await svc?.stop();
      await out?.stop();
    });

    it('publishes every committed event, in order per key, with CloudEvents headers', async () => {
      const expected = new Map<string, string[]>();
      await Promise.all(
        ['order-a', 'order-b', 'order-c'].map(async (aggregate) => {
          for (let i = 0; i < 4; i++) {
            const { key, ids: made } = await o.change(o.url(svc), aggregate, 5);
            expected.set(key, [...(expected.get(key) ?? []), ...made]);
          }
        }),
      );
      const keys = [...expected.keys()];
      await waitFor(() => keys.every((k) => ids(out.records, k).length >= (expected.get(k)?.length ?? 0)), {
        what: 'every event',
        timeoutMs: 30_000,
      });
      for (const k of keys) expect(ids(out.records, k)).toEqual(expected.get(k));
      for (const r of out.records.filter((x) => keys.includes(x.key))) {
        expect(r.headers).toMatchObject({
          ce_specversion: '1.0',
          ce_type: o.topic,
          ce_source: expect.stringMatching(/^\//),
          'content-type': 'application/json',
        });
        expect(Date.parse(r.headers.ce_time ?? '')).not.toBeNaN();
      }
    }, 60_000);

    it('loses nothing when the process dies between commit and publish', async () => {
      // Holding the relay's leader lock keeps the service from publishing: its events are
      // committed but not sent when it is killed.
      const blocker = new pg.Client({ connectionString: o.databaseUrl() });
      await blocker.connect();
      let committed: { key: string; ids: string[] };
      try {
        await svc.kill();
        await blocker.query('SELECT pg_advisory_lock($1)', [OUTBOX_LEADER_LOCK]);
        svc = await o.process();
        await svc.start();
        committed = await o.change(o.url(svc), 'crash-key', 7);
        const unsent = await blocker.query<{ n: string }>(
          'SELECT count(*) AS n FROM kernel_outbox WHERE sent_at IS NULL',
        );
        expect(Number(unsent.rows[0]?.n)).toBeGreaterThanOrEqual(committed.ids.length);
        expect(ids(out.records, committed.key)).toEqual([]);
        expect(await svc.kill()).toBeNull(); // SIGKILL: no shutdown hook runs
      } finally {
        await blocker.end();
      }
      svc = await o.process();
      await svc.start();
      await waitFor(() => ids(out.records, committed.key).length >= committed.ids.length, {
        what: 'the events committed before the crash',
        timeoutMs: 30_000,
      });
      expect(ids(out.records, committed.key)).toEqual(committed.ids);
    }, 120_000);

    it('at worst publishes an event twice, under the same ce_id', async () => {
      const { key, ids: first } = await o.change(o.url(svc), 'twice-key', 3);
      await waitFor(() => ids(out.records, key).length >= first.length, { what: 'first publish' });
      // As if the relay had died after Kafka's ack but before stamping the rows sent.
      const db = new pg.Client({ connectionString: o.databaseUrl() });
      await db.connect();
      try {
        await db.query(`UPDATE kernel_outbox SET sent_at = NULL WHERE headers->>'ce_id' = ANY($1::text[])`, [first]);
      } finally {
        await db.end();
      }
      const later = await o.change(o.url(svc), 'twice-key', 1); // wakes the relay
      const n = first.length;
      await waitFor(() => ids(out.records, key).length >= 2 * n + later.ids.length, { what: 'the republished events' });
      const seen = ids(out.records, key);
      expect(new Set(seen).size).toBe(n + later.ids.length);
      expect(seen.slice(0, n)).toEqual(first);
      expect(seen.slice(n, 2 * n)).toEqual(first);
    }, 60_000);

    it('of two replicas only one publishes, and order per key holds across them', async () => {
      const second = await o.process();
      await second.start();
      try {
        const expected: string[] = [];
        let key = '';
        for (let i = 0; i < 6; i++) {
          const made = await o.change(o.url(i % 2 === 0 ? svc : second), 'two-replicas', 3);
          key = made.key;
          expected.push(...made.ids);
        }
        await waitFor(() => ids(out.records, key).length >= expected.length, { what: 'events of both replicas' });
        expect(ids(out.records, key)).toEqual(expected);
        const leaders =
          (await svc.metric('wattstream_outbox_leader')) + (await second.metric('wattstream_outbox_leader'));
        expect(leaders).toBe(1);
      } finally {
        await second.stop();
      }
    }, 120_000);
  });
}
