import { Counter, Gauge, Histogram, type Logger, type Producer, type Registry } from '@wattstream/platform';
import pg from 'pg';
import type { Pool } from '../db/postgres.js';
import { OUTBOX_CHANNEL } from './outbox.js';

export interface RelayOptions {
  /** The service's database (the relay's own connection for the leader lock and LISTEN). */
  url: string;
  pool: Pool;
  producer: Producer;
  logger: Logger;
  registry: Registry;
  /** Rows per Kafka send. */
  batchSize: number;
  /** Poll interval when no NOTIFY arrives (a missed one, or rows written by hand). */
  pollMs: number;
  /** How long sent rows are kept (for inspection) before they are deleted. */
  retentionMs: number;
}

/** One lock per database: only one replica's relay publishes, so per-key order holds. */
export const OUTBOX_LEADER_LOCK = 0x0_7761_7474; // "watt"
const COMMIT_TO_KAFKA_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

interface Row {
  id: string;
  topic: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
  created_at: Date;
}

/**
 * Publishes the outbox to Kafka. One replica at a time holds a session advisory lock and is the
 * leader; it reads unsent rows in id order, sends them with the idempotent producer (one request in
 * flight, `acks: -1`, so each partition keeps their order), then stamps them sent. A crash between
 * the send and the stamp publishes those rows again on the next leader: at least once, never lost;
 * consumers deduplicate on `ce_id`. Rows of one key keep their order as long as the service writes
 * them under a lock on the aggregate they belong to (the row it updates), which every state change
 * does anyway.
 */
export class OutboxRelay {
  private running = false;
  private leader: pg.Client | undefined;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private lastCleanup = 0;
  private readonly m;

  constructor(private readonly o: RelayOptions) {
    const r = { registers: [o.registry] };
    const pool = o.pool;
    this.m = {
      published: new Counter({ name: 'wattstream_outbox_published_total', help: 'outbox events published', ...r }),
      failures: new Counter({
        name: 'wattstream_outbox_publish_failures_total',
        help: 'outbox sends that failed (retried)',
        ...r,
      }),
      latency: new Histogram({
        name: 'wattstream_outbox_commit_to_kafka_seconds',
        help: 'time from the outbox insert to Kafka acknowledging the event',
        buckets: COMMIT_TO_KAFKA_BUCKETS,
        ...r,
      }),
      leader: new Gauge({ name: 'wattstream_outbox_leader', help: '1 while this replica publishes the outbox', ...r }),
      backlog: new Gauge({
        name: 'wattstream_outbox_backlog',
        help: 'outbox events not yet published',
        ...r,
        async collect() {
          const res = await pool
            .query<{ n: string }>('SELECT count(*) AS n FROM kernel_outbox WHERE sent_at IS NULL')
            .catch(() => undefined);
          if (res) this.set(Number(res.rows[0]?.n ?? 0));
        },
      }),
      oldest: new Gauge({
        name: 'wattstream_outbox_oldest_unsent_seconds',
        help: 'age of the oldest unpublished outbox event (0 when none)',
        ...r,
        async collect() {
          const res = await pool
            .query<{ age: number | null }>(
              'SELECT extract(epoch FROM clock_timestamp() - min(created_at))::float8 AS age FROM kernel_outbox WHERE sent_at IS NULL',
            )
            .catch(() => undefined);
          if (res) this.set(res.rows[0]?.age ?? 0);
        },
      }),
    };
  }

  get isLeader(): boolean {
    return this.leader !== undefined;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Publishes what is pending now (shutdown's flush phase), if this replica leads. */
  async flush(): Promise<number> {
    if (!this.leader) return 0;
    let total = 0;
    for (;;) {
      const n = await this.publishBatch();
      total += n;
      if (n < this.o.batchSize) return total;
    }
  }

  /** Stops the loop, publishes what is still pending (when leading) and gives up leadership. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    try {
      await this.flush();
    } catch (err) {
      this.o.logger.warn({ err: (err as Error).message }, 'outbox not fully published at stop; the next leader will');
    }
    await this.releaseLeadership();
  }

  private async run(): Promise<void> {
    let backoff = 100;
    while (this.running) {
      try {
        if (!this.leader && !(await this.tryLead())) {
          await this.sleep(this.o.pollMs * 2);
          continue;
        }
        const n = await this.publishBatch();
        backoff = 100;
        await this.cleanup();
        if (n < this.o.batchSize) await this.sleep(this.o.pollMs);
      } catch (err) {
        this.m.failures.inc();
        this.o.logger.warn({ err: (err as Error).message, retryInMs: backoff }, 'outbox relay failed; retrying');
        await this.sleep(backoff);
        backoff = Math.min(backoff * 2, 5000);
      }
    }
  }

  private async tryLead(): Promise<boolean> {
    const client = new pg.Client({ connectionString: this.o.url, connectionTimeoutMillis: 2000, keepAlive: true });
    client.on('error', (err) => {
      this.o.logger.warn({ err: err.message }, 'outbox relay lost its database connection; leadership released');
      if (this.leader === client) void this.releaseLeadership();
    });
    try {
      await client.connect();
      const r = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [OUTBOX_LEADER_LOCK]);
      if (!r.rows[0]?.ok) {
        await client.end();
        return false;
      }
      client.on('notification', () => this.wake?.());
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
      this.leader = client;
      this.m.leader.set(1);
      this.o.logger.info('outbox relay leads: publishing this database’s outbox');
      return true;
    } catch (err) {
      await client.end().catch(() => {});
      throw err;
    }
  }

  private async releaseLeadership(): Promise<void> {
    const client = this.leader;
    this.leader = undefined;
    this.m.leader.set(0);
    // Ending the session releases its advisory lock.
    await client?.end().catch(() => {});
  }

  /** Sends one batch of unsent rows; returns how many. */
  private async publishBatch(): Promise<number> {
    const { rows } = await this.o.pool.query<Row>(
      `SELECT id, topic, key, value, headers, created_at FROM kernel_outbox
       WHERE sent_at IS NULL ORDER BY id LIMIT $1`,
      [this.o.batchSize],
    );
    if (rows.length === 0) return 0;
    const byTopic = new Map<string, { key: string | null; value: string | null; headers: Record<string, string> }[]>();
    for (const row of rows) {
      let list = byTopic.get(row.topic);
      if (!list) {
        list = [];
        byTopic.set(row.topic, list);
      }
      list.push({ key: row.key, value: row.value, headers: row.headers });
    }
    await this.o.producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
    const now = Date.now();
    for (const row of rows) this.m.latency.observe((now - row.created_at.getTime()) / 1000);
    await this.o.pool.query('UPDATE kernel_outbox SET sent_at = clock_timestamp() WHERE id = ANY($1::bigint[])', [
      rows.map((r) => r.id),
    ]);
    this.m.published.inc(rows.length);
    return rows.length;
  }

  private async cleanup(): Promise<void> {
    if (Date.now() - this.lastCleanup < 60_000) return;
    this.lastCleanup = Date.now();
    await this.o.pool.query(
      `DELETE FROM kernel_outbox WHERE id IN (
         SELECT id FROM kernel_outbox WHERE sent_at < clock_timestamp() - $1::interval LIMIT 10000)`,
      [`${Math.round(this.o.retentionMs / 1000)} seconds`],
    );
  }

  /** Waits `ms`, or less when a NOTIFY (or stop) wakes the relay. */
  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    }).finally(() => {
      this.wake = undefined;
    });
  }
}
