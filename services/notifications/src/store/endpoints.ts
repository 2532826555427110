import { randomBytes, randomUUID } from 'node:crypto';
import type { NotificationKind, WebhookEndpoint } from '@wattstream/contracts';
import type { Queryable } from '@wattstream/kernel';
import { WattstreamError } from '@wattstream/platform';
import { NotificationsErrorCode } from '../errors.js';

export interface EndpointRow {
  id: string;
  user_id: string;
  url: string;
  description: string | null;
  kinds: NotificationKind[] | null;
  secret: string;
  enabled: boolean;
  consecutive_failures: number;
  disabled_reason: string | null;
  created_at: Date;
  last_success_at: Date | null;
  last_failure_at: Date | null;
}

export function endpointOf(r: EndpointRow): WebhookEndpoint {
  return {
    id: r.id,
    url: r.url,
    description: r.description,
    kinds: r.kinds,
    enabled: r.enabled,
    consecutiveFailures: r.consecutive_failures,
    disabledReason: r.disabled_reason,
    createdAt: r.created_at.toISOString(),
    lastSuccessAt: r.last_success_at?.toISOString() ?? null,
    lastFailureAt: r.last_failure_at?.toISOString() ?? null,
  };
}

/**
 * Registers an endpoint with a new signing secret, unless the user has `max` already. The count is
 * taken under a lock on the user's endpoints (an advisory lock per user), so two concurrent
 * registrations cannot both pass it.
 */
export async function createEndpoint(
  db: Queryable,
  e: { userId: string; url: string; description?: string | undefined; kinds?: NotificationKind[] | undefined },
  max: number,
): Promise<EndpointRow> {
  await db.query(`SELECT pg_advisory_xact_lock(hashtext('notifications-endpoints:' || $1))`, [e.userId]);
  const { rows: count } = await db.query<{ n: string }>(
    'SELECT count(*) AS n FROM webhook_endpoints WHERE user_id = $1',
    [e.userId],
  );
  if (Number(count[0]?.n ?? 0) >= max) {
    throw new WattstreamError(
      NotificationsErrorCode.WebhookLimit,
      `a user may register at most ${max} webhook endpoints: delete one first`,
      { statusCode: 409 },
    );
  }
  const secret = `whsec_${randomBytes(24).toString('base64url')}`;
  const { rows } = await db.query<EndpointRow>(
    `INSERT INTO webhook_endpoints (id, user_id, url, description, kinds, secret) VALUES ($1, $2, $3, $4, $5, $6)
     RETURNING *`,
    [randomUUID(), e.userId, e.url, e.description ?? null, e.kinds ?? null, secret],
  );
  return rows[0]!;
}

export async function endpointsOf(db: Queryable, userId: string): Promise<EndpointRow[]> {
  const { rows } = await db.query<EndpointRow>(
    'SELECT * FROM webhook_endpoints WHERE user_id = $1 ORDER BY created_at, id',
    [userId],
  );
  return rows;
}

/** The enabled endpoints of many users, for a fan-out. */
export async function enabledEndpoints(db: Queryable, userIds: string[]): Promise<Map<string, EndpointRow[]>> {
  const out = new Map<string, EndpointRow[]>();
  if (userIds.length === 0) return out;
  const { rows } = await db.query<EndpointRow>(
    // FOR SHARE: an endpoint being switched off waits for this transaction, then cancels what it queued.
    'SELECT * FROM webhook_endpoints WHERE user_id = ANY($1::text[]) AND enabled ORDER BY id FOR SHARE',
    [userIds],
  );
  for (const r of rows) out.set(r.user_id, [...(out.get(r.user_id) ?? []), r]);
  return out;
}

export async function deleteEndpoint(db: Queryable, userId: string, id: string): Promise<boolean> {
  const r = await db.query('DELETE FROM webhook_endpoints WHERE user_id = $1 AND id = $2', [userId, id]);
  return (r.rowCount ?? 0) > 0;
}

/** Switches an endpoint back on with a clean failure count. */
export async function enableEndpoint(db: Queryable, userId: string, id: string): Promise<EndpointRow | undefined> {
  const { rows } = await db.query<EndpointRow>(
    `UPDATE webhook_endpoints SET enabled = true, consecutive_failures = 0, disabled_reason = NULL
     WHERE user_id = $1 AND id = $2 RETURNING *`,
    [userId, id],
  );
  return rows[0];
}

export async function endpointById(db: Queryable, id: string): Promise<EndpointRow | undefined> {
  const { rows } = await db.query<EndpointRow>('SELECT * FROM webhook_endpoints WHERE id = $1', [id]);
  return rows[0];
}

export async function recordEndpointSuccess(db: Queryable, id: string): Promise<void> {
  await db.query('UPDATE webhook_endpoints SET consecutive_failures = 0, last_success_at = now() WHERE id = $1', [id]);
}

/**
 * Counts a failed attempt; at `disableAfter` consecutive failures the endpoint is switched off and
 * its queued deliveries are cancelled. True when this failure disabled it.
 */
export async function recordEndpointFailure(
  db: Queryable,
  id: string,
  reason: string,
  disableAfter: number,
): Promise<boolean> {
  const { rows } = await db.query<{ consecutive_failures: number; enabled: boolean }>(
    `UPDATE webhook_endpoints SET consecutive_failures = consecutive_failures + 1, last_failure_at = now()
     WHERE id = $1 RETURNING consecutive_failures, enabled`,
    [id],
  );
  const r = rows[0];
  if (!r?.enabled || r.consecutive_failures < disableAfter) return false;
  await db.query(`UPDATE webhook_endpoints SET enabled = false, disabled_reason = $2 WHERE id = $1 AND enabled`, [
    id,
    `disabled after ${r.consecutive_failures} consecutive failures; last: ${reason}`.slice(0, 500),
  ]);
  await db.query(
    `UPDATE deliveries SET state = 'cancelled', lease_until = NULL, claim = NULL,
       last_error = 'endpoint disabled after repeated failures'
     WHERE endpoint_id = $1 AND state IN ('pending', 'sending')`,
    [id],
  );
  return true;
}
