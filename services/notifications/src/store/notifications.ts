import type { DeliveryState, Notification, NotificationKind } from '@wattstream/contracts';
import type { Queryable } from '@wattstream/kernel';
import type { Params } from '../templates/index.js';

export interface NewNotification {
  id: string;
  userId: string;
  kind: NotificationKind;
  sourceId: string;
  /** the other user the notification is about (erased with them) */
  actorId: string | null;
  priority: 'normal' | 'low';
  params: Params;
  title: string;
  body: string;
  locale: string;
  link: string | null;
  eventTime: number;
}

export interface NewDelivery {
  channel: 'email' | 'webhook';
  endpointId: string | null;
  digest: boolean;
  notBefore: number;
}

/** Inserts a notification and its deliveries; false when it exists already (nothing is written). */
export async function insertNotification(
  db: Queryable,
  n: NewNotification,
  deliveries: NewDelivery[],
): Promise<boolean> {
  const r = await db.query(
    `INSERT INTO notifications (id, user_id, kind, source_id, priority, params, title, body, locale, link, event_time, actor_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, to_timestamp($11::double precision / 1000), $12)
     ON CONFLICT (id) DO NOTHING`,
    [
      n.id,
      n.userId,
      n.kind,
      n.sourceId,
      n.priority,
      JSON.stringify(n.params),
      n.title,
      n.body,
      n.locale,
      n.link,
      n.eventTime,
      n.actorId,
    ],
  );
  if ((r.rowCount ?? 0) === 0) return false;
  if (deliveries.length > 0) {
    await db.query(
      `INSERT INTO deliveries (notification_id, user_id, channel, endpoint_id, digest, state, next_attempt_at)
       SELECT $1, $2, d.channel, d.endpoint_id, d.digest, 'pending', to_timestamp(d.not_before::double precision / 1000)
       FROM unnest($3::text[], $4::uuid[], $5::boolean[], $6::bigint[]) AS d(channel, endpoint_id, digest, not_before)`,
      [
        n.id,
        n.userId,
        deliveries.map((d) => d.channel),
        deliveries.map((d) => d.endpointId),
        deliveries.map((d) => d.digest),
        deliveries.map((d) => d.notBefore),
      ],
    );
    // Delivered at commit: wakes the replicas' dispatchers (see delivery/dispatcher.ts).
    await db.query(`SELECT pg_notify('notifications_deliveries', '')`);
  }
  return true;
}

interface ListRow {
  id: string;
  kind: NotificationKind;
  title: string;
  body: string;
  locale: string;
  link: string | null;
  created_at: Date;
  deliveries: {
    channel: 'email' | 'webhook';
    endpoint_id: string | null;
    state: DeliveryState;
    attempts: number;
    digest: boolean;
    next_attempt_at: string | null;
    sent_at: string | null;
    last_error: string | null;
  }[];
}

const iso = (s: string | null) => (s === null ? null : new Date(s).toISOString());

/** A page of the user's notifications, newest first, after the keyset `(createdAt, id)`. */
export async function notificationPage(
  db: Queryable,
  userId: string,
  limit: number,
  after: { createdAt: string; id: string } | undefined,
): Promise<{ items: Notification[]; last: { createdAt: string; id: string } | undefined; more: boolean }> {
  const { rows } = await db.query<ListRow>(
    `SELECT n.id, n.kind, n.title, n.body, n.locale, n.link, n.created_at,
       COALESCE((SELECT json_agg(json_build_object('channel', d.channel, 'endpoint_id', d.endpoint_id, 'state', d.state,
         'attempts', d.attempts, 'digest', d.digest,
         'next_attempt_at', CASE WHEN d.state IN ('pending', 'sending') THEN d.next_attempt_at END,
         'sent_at', d.sent_at, 'last_error', d.last_error) ORDER BY d.id)
         FROM deliveries d WHERE d.notification_id = n.id), '[]') AS deliveries
     FROM notifications n
     WHERE n.user_id = $1 AND ($2::timestamptz IS NULL OR (n.created_at, n.id) < ($2::timestamptz, $3::text))
     ORDER BY n.created_at DESC, n.id DESC LIMIT $4`,
    [userId, after?.createdAt ?? null, after?.id ?? '', limit + 1],
  );
  const more = rows.length > limit;
  const page = rows.slice(0, limit);
  const lastRow = page.at(-1);
  return {
    more,
    last: lastRow ? { createdAt: lastRow.created_at.toISOString(), id: lastRow.id } : undefined,
    items: page.map((r) => ({
      id: r.id,
      kind: r.kind,
      title: r.title,
      body: r.body,
      locale: r.locale,
      link: r.link,
      createdAt: r.created_at.toISOString(),
      deliveries: r.deliveries.map((d) => ({
        channel: d.channel,
        endpointId: d.endpoint_id,
        state: d.state,
        attempts: d.attempts,
        digest: d.digest,
        nextAttemptAt: iso(d.next_attempt_at),
        sentAt: iso(d.sent_at),
        lastError: d.last_error,
      })),
    })),
  };
}

/**
 * GDPR erasure: everything notifications keeps of a user — their settings, endpoints, notifications
 * and deliveries, their contact details and follow edges, and others' notifications about them.
 */
export async function eraseUser(db: Queryable, userId: string): Promise<void> {
  await db.query('DELETE FROM deliveries WHERE user_id = $1', [userId]);
  await db.query('DELETE FROM notifications WHERE user_id = $1 OR actor_id = $1', [userId]);
  await db.query('DELETE FROM webhook_endpoints WHERE user_id = $1', [userId]);
  await db.query('DELETE FROM preferences WHERE user_id = $1', [userId]);
  await db.query('DELETE FROM contacts WHERE user_id = $1', [userId]);
  await db.query('DELETE FROM follows WHERE followee_id = $1 OR follower_id = $1', [userId]);
}
