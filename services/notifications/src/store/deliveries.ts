import { randomUUID } from 'node:crypto';
import type { NotificationKind } from '@wattstream/contracts';
import type { Queryable } from '@wattstream/kernel';
import type { Params } from '../templates/index.js';

/** A claimed delivery with what sending it needs. */
export interface ClaimedDelivery {
  id: string;
  notificationId: string;
  userId: string;
  channel: 'email' | 'webhook';
  endpointId: string | null;
  digest: boolean;
  attempts: number;
  claim: string;
  kind: NotificationKind;
  params: Params;
  title: string;
  body: string;
  locale: string;
  link: string | null;
  eventTime: number;
  createdAt: Date;
}

interface ClaimedRow {
  id: string;
  notification_id: string;
  user_id: string;
  channel: 'email' | 'webhook';
  endpoint_id: string | null;
  digest: boolean;
  attempts: number;
  claim: string;
  kind: NotificationKind;
  params: Params;
  title: string;
  body: string;
  locale: string;
  link: string | null;
  event_time: Date;
  created_at: Date;
}

const claimedOf = (r: ClaimedRow): ClaimedDelivery => ({
  id: String(r.id),
  notificationId: r.notification_id,
  userId: r.user_id,
  channel: r.channel,
  endpointId: r.endpoint_id,
  digest: r.digest,
  attempts: r.attempts,
  claim: r.claim,
  kind: r.kind,
  params: r.params,
  title: r.title,
  body: r.body,
  locale: r.locale,
  link: r.link,
  eventTime: r.event_time.getTime(),
  createdAt: r.created_at,
});

/** A due row: pending and due, or claimed by a replica whose lease ran out (it died mid-send). */
const DUE = `d.state IN ('pending', 'sending') AND d.next_attempt_at <= now()
  AND (d.state = 'pending' OR d.lease_until < now())`;

async function claimed(db: Queryable, claim: string): Promise<ClaimedDelivery[]> {
  const { rows } = await db.query<ClaimedRow>(
    `SELECT d.id, d.notification_id, d.user_id, d.channel, d.endpoint_id, d.digest, d.attempts, d.claim,
       n.kind, n.params, n.title, n.body, n.locale, n.link, n.event_time, n.created_at
     FROM deliveries d JOIN notifications n ON n.id = d.notification_id
     WHERE d.claim = $1 ORDER BY d.id`,
    [claim],
  );
  return rows.map(claimedOf);
}

/**
 * Claims up to `limit` due e-mail deliveries for this replica: `FOR UPDATE SKIP LOCKED`, so two
 * replicas claiming at once never get the same row, then a lease and a claim token. A user's due
 * digest rows are claimed together, so one digest e-mail carries them all.
 */
export async function claimEmail(db: Queryable, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
  const claim = randomUUID();
  await db.query(
    `WITH picked AS (
       SELECT d.id FROM deliveries d
       WHERE d.channel = 'email' AND ${DUE}
       ORDER BY d.next_attempt_at, d.id LIMIT $1
       FOR UPDATE SKIP LOCKED
     ), digests AS (
       SELECT d.id FROM deliveries d
       WHERE d.channel = 'email' AND d.digest AND ${DUE}
         AND d.user_id IN (SELECT p.user_id FROM deliveries p WHERE p.id IN (SELECT id FROM picked) AND p.digest)
       FOR UPDATE SKIP LOCKED
     )
     UPDATE deliveries SET state = 'sending', claim = $2, attempts = attempts + 1,
       lease_until = now() + make_interval(secs => $3::double precision / 1000)
     WHERE id IN (SELECT id FROM picked UNION SELECT id FROM digests)`,
    [limit, claim, leaseMs],
  );
  return claimed(db, claim);
}

/**
 * Claims due webhook deliveries, at most one per endpoint per call and none for the endpoints in
 * `busy` (those whose in-flight slots on this replica are full), oldest first per endpoint, so an
 * endpoint that hangs holds only its own slots and every other endpoint keeps moving.
 */
export async function claimWebhooks(
  db: Queryable,
  limit: number,
  busy: string[],
  leaseMs: number,
): Promise<ClaimedDelivery[]> {
  if (limit <= 0) return [];
  const claim = randomUUID();
  await db.query(
    `WITH picked AS (
       SELECT p.id FROM webhook_endpoints e
       CROSS JOIN LATERAL (
         SELECT d.id FROM deliveries d
         WHERE d.endpoint_id = e.id AND d.channel = 'webhook' AND ${DUE}
         ORDER BY d.next_attempt_at, d.id LIMIT 1
         FOR UPDATE SKIP LOCKED
       ) p
       WHERE e.enabled AND NOT (e.id = ANY($2::uuid[]))
       LIMIT $1
     )
     UPDATE deliveries SET state = 'sending', claim = $3, attempts = attempts + 1,
       lease_until = now() + make_interval(secs => $4::double precision / 1000)
     WHERE id IN (SELECT id FROM picked)`,
    [limit, busy, claim, leaseMs],
  );
  return claimed(db, claim);
}

/** Records success, only for the replica that still holds the claim. */
export async function markSent(db: Queryable, ids: string[], claim: string): Promise<number> {
  const r = await db.query(
    `UPDATE deliveries SET state = 'sent', sent_at = now(), lease_until = NULL, claim = NULL, last_error = NULL
     WHERE id = ANY($1::bigint[]) AND claim = $2 AND state = 'sending'`,
    [ids, claim],
  );
  return r.rowCount ?? 0;
}

/** Back to the queue, due again after `delayMs`. */
export async function reschedule(
  db: Queryable,
  ids: string[],
  claim: string,
  delayMs: number,
  error: string,
): Promise<number> {
  const r = await db.query(
    `UPDATE deliveries SET state = 'pending', lease_until = NULL, claim = NULL, last_error = $3,
       next_attempt_at = now() + make_interval(secs => $4::double precision / 1000)
     WHERE id = ANY($1::bigint[]) AND claim = $2 AND state = 'sending'`,
    [ids, claim, error.slice(0, 500), delayMs],
  );
  return r.rowCount ?? 0;
}

/** Failed for good. */
export async function markFailed(db: Queryable, ids: string[], claim: string, error: string): Promise<number> {
  const r = await db.query(
    `UPDATE deliveries SET state = 'failed', lease_until = NULL, claim = NULL, last_error = $3
     WHERE id = ANY($1::bigint[]) AND claim = $2 AND state = 'sending'`,
    [ids, claim, error.slice(0, 500)],
  );
  return r.rowCount ?? 0;
}

/** Deliveries waiting (pending or being sent) per channel: the queue depth gauge. */
export async function queueDepth(db: Queryable): Promise<{ channel: string; state: string; n: number }[]> {
  const { rows } = await db.query<{ channel: string; state: string; n: string }>(
    `SELECT channel, state, count(*) AS n FROM deliveries WHERE state IN ('pending', 'sending') GROUP BY channel, state`,
  );
  return rows.map((r) => ({ channel: r.channel, state: r.state, n: Number(r.n) }));
}
