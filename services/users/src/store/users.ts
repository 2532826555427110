import { randomBytes } from 'node:crypto';
import { type ContactUpdated, kafkaTopics, type Me, type Role } from '@wattstream/contracts';
import type { OutboxEvent, Queryable } from '@wattstream/kernel';
import { WattstreamError } from '@wattstream/platform';
import { UsersErrorCode } from '../errors.js';

export interface UserRow {
  id: string;
  email: string;
  password_hash: string;
  display_name: string;
  roles: Role[];
  locale: string;
  time_zone: string;
  created_at: Date;
  /** when the contact details (e-mail, name, locale, time zone) last changed */
  updated_at: Date;
}

/** A new user id: `u` + 20 random base64url characters (an id of contract v1, 1–64 of [A-Za-z0-9_-]). */
export const newUserId = (): string => `u${randomBytes(15).toString('base64url')}`;

export async function insertUser(
  db: Queryable,
  u: { id: string; email: string; passwordHash: string; displayName: string; roles: Role[] },
): Promise<UserRow> {
  try {
    const { rows } = await db.query<UserRow>(
      `INSERT INTO users (id, email, password_hash, display_name, roles) VALUES ($1, $2, $3, $4, $5)
       RETURNING *`,
      [u.id, u.email, u.passwordHash, u.displayName, u.roles],
    );
    return rows[0]!;
  } catch (err) {
    if ((err as { code?: string }).code === '23505') {
      throw new WattstreamError(
        UsersErrorCode.EmailTaken,
        'an account with this e-mail address exists: log in instead',
        {
          statusCode: 409,
          details: { fields: [{ field: 'body.email', message: 'already registered' }] },
        },
      );
    }
    throw err;
  }
}

export async function userByEmail(db: Queryable, email: string): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>('SELECT * FROM users WHERE lower(email) = lower($1)', [email]);
  return rows[0];
}

export async function userById(db: Queryable, id: string): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>('SELECT * FROM users WHERE id = $1', [id]);
  return rows[0];
}

export async function deleteUser(db: Queryable, id: string): Promise<boolean> {
  const r = await db.query('DELETE FROM users WHERE id = $1', [id]);
  return (r.rowCount ?? 0) > 0;
}

export async function addRole(db: Queryable, id: string, role: Role): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>(
    `UPDATE users SET roles = array(SELECT DISTINCT unnest(roles || ARRAY[$2]::text[])) WHERE id = $1 RETURNING *`,
    [id, role],
  );
  return rows[0];
}

export function meOf(u: UserRow): Me {
  return {
    id: u.id,
    email: u.email,
    displayName: u.display_name,
    roles: u.roles,
    locale: u.locale,
    timeZone: u.time_zone,
    createdAt: u.created_at.toISOString(),
  };
}

/**
 * The canonical IANA name of a time zone (`Intl`'s spelling, e.g. `Etc/UTC` → `UTC`), or undefined
 * when the runtime does not know it. Offsets such as `+03:00` are not zones and are refused.
 */
export function canonicalTimeZone(tz: string): string | undefined {
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
  if (resolved === 'UTC' || Intl.supportedValuesOf('timeZone').includes(resolved)) return resolved;
  return undefined;
}

/** Changes the account settings; `updated_at` moves strictly forward, so each change has its own event id. */
export async function updateAccount(
  db: Queryable,
  id: string,
  u: { displayName?: string | undefined; locale?: string | undefined; timeZone?: string | undefined },
): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>(
    `UPDATE users SET display_name = COALESCE($2, display_name), locale = COALESCE($3, locale),
       time_zone = COALESCE($4, time_zone),
       updated_at = greatest(clock_timestamp(), updated_at + interval '1 millisecond')
     WHERE id = $1 RETURNING *`,
    [id, u.displayName ?? null, u.locale ?? null, u.timeZone ?? null],
  );
  return rows[0];
}

/** `user.contact.updated` for the account as it is now (registration, every settings change). */
export function contactEvent(u: UserRow): OutboxEvent<typeof kafkaTopics.contactUpdated> {
  const updatedAt = u.updated_at.getTime();
  const value: ContactUpdated = {
    userId: u.id,
    email: u.email,
    displayName: u.display_name,
    locale: u.locale,
    timeZone: u.time_zone,
    updatedAt,
  };
  return { topic: kafkaTopics.contactUpdated, key: u.id, value, id: `${u.id}:${updatedAt}` };
}

/** The tombstone that removes an erased user's contact details from the compacted topic. */
export function contactTombstone(id: string): OutboxEvent<typeof kafkaTopics.contactUpdated> {
  return { topic: kafkaTopics.contactUpdated, key: id, value: null, id: `${id}:deleted` };
}
