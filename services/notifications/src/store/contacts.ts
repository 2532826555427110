import type { ContactUpdated } from '@wattstream/contracts';
import type { Queryable } from '@wattstream/kernel';

export interface Contact {
  userId: string;
  email: string;
  displayName: string | null;
  locale: string;
  timeZone: string;
}

interface ContactRow {
  user_id: string;
  email: string;
  display_name: string | null;
  locale: string;
  time_zone: string;
}

const contactOf = (r: ContactRow): Contact => ({
  userId: r.user_id,
  email: r.email,
  displayName: r.display_name,
  locale: r.locale,
  timeZone: r.time_zone,
});

/** The latest `user.contact.updated` per user wins (replays and redeliveries arrive in any age). */
export async function upsertContact(db: Queryable, c: ContactUpdated): Promise<void> {
  await db.query(
    `INSERT INTO contacts (user_id, email, display_name, locale, time_zone, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (user_id) DO UPDATE SET email = $2, display_name = $3, locale = $4, time_zone = $5, updated_at = $6
     WHERE contacts.updated_at < $6`,
    [c.userId, c.email, c.displayName ?? null, c.locale, c.timeZone, c.updatedAt],
  );
}

export async function deleteContact(db: Queryable, userId: string): Promise<void> {
  await db.query('DELETE FROM contacts WHERE user_id = $1', [userId]);
}

export async function contactsOf(db: Queryable, userIds: string[]): Promise<Map<string, Contact>> {
  if (userIds.length === 0) return new Map();
  const { rows } = await db.query<ContactRow>('SELECT * FROM contacts WHERE user_id = ANY($1::text[])', [userIds]);
  return new Map(rows.map((r) => [r.user_id, contactOf(r)]));
}

/** The `updatedAt` of the projected contact (tests: which event the projection reflects). */
export async function contactVersion(db: Queryable, userId: string): Promise<number | undefined> {
  const { rows } = await db.query<{ updated_at: string }>('SELECT updated_at FROM contacts WHERE user_id = $1', [
    userId,
  ]);
  return rows[0] ? Number(rows[0].updated_at) : undefined;
}
