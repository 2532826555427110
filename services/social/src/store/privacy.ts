import { coaches } from '@wattstream/access';
import { type Audience, DEFAULT_PRIVACY, kafkaTopics, type Privacy, type PrivacyInput } from '@wattstream/contracts';
import type { Identity, OutboxEvent, Queryable } from '@wattstream/kernel';
import { isBlockedBy, isFriend } from './follows.js';
import { after, iso } from './time.js';

interface PrivacyRow {
  athlete_id: string;
  live: Audience;
  sessions: Audience;
  location: Audience;
  updated_at: string;
}

export async function privacyOf(db: Queryable, athleteId: string): Promise<Privacy> {
  const { rows } = await db.query<PrivacyRow>('SELECT * FROM privacy WHERE athlete_id = $1', [athleteId]);
  const r = rows[0];
  return r
    ? { athleteId, live: r.live, sessions: r.sessions, location: r.location, updatedAt: iso(r.updated_at) }
    : { athleteId, ...DEFAULT_PRIVACY, updatedAt: null };
}

/** Saves an athlete's settings and the compacted `social.privacy.updated` that carries them. */
export async function setPrivacy(tx: Queryable, athleteId: string, input: PrivacyInput) {
  const { rows } = await tx.query<{ updated_at: string }>(
    'SELECT updated_at FROM privacy WHERE athlete_id = $1 FOR UPDATE',
    [athleteId],
  );
  const updatedAt = after(rows[0]?.updated_at);
  await tx.query(
    `INSERT INTO privacy (athlete_id, live, sessions, location, updated_at) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (athlete_id) DO UPDATE SET live = $2, sessions = $3, location = $4, updated_at = $5`,
    [athleteId, input.live, input.sessions, input.location, updatedAt],
  );
  const event: OutboxEvent<typeof kafkaTopics.privacyUpdated> = {
    topic: kafkaTopics.privacyUpdated,
    key: athleteId,
    id: `${athleteId}:${updatedAt}`,
    value: { athleteId, ...input, updatedAt },
  };
  return { privacy: { athleteId, ...input, updatedAt: iso(updatedAt) } satisfies Privacy, event };
}

/** Forgets an athlete's settings: a tombstone, so the compacted topic forgets them too. */
export async function erasePrivacy(tx: Queryable, athleteId: string): Promise<OutboxEvent[]> {
  const r = await tx.query('DELETE FROM privacy WHERE athlete_id = $1', [athleteId]);
  return (r.rowCount ?? 0) > 0 ? [{ topic: kafkaTopics.privacyUpdated, key: athleteId, value: null }] : [];
}

/**
 * May `who` see `ownerId`'s `kind` (live data, sessions, location)? The owner and admins always;
 * nobody the owner blocked; otherwise the owner's audience for it decides: `public` any signed-in
 * user, `friends` an accepted follower or a coach of theirs, `coach` a coach of theirs, `nobody`
 * no one else. The live server decides `live` the same way from social's events.
 */
export async function maySee(
  db: Queryable,
  who: Identity,
  ownerId: string,
  kind: 'live' | 'sessions' | 'location',
): Promise<boolean> {
  if (who.userId === ownerId || who.roles.includes('admin')) return true;
  if (await isBlockedBy(db, who.userId, ownerId)) return false;
  const coach = async () => who.roles.includes('coach') && (await coaches(db, who.userId, ownerId));
  switch ((await privacyOf(db, ownerId))[kind]) {
    case 'public':
      return true;
    case 'friends':
      return (await isFriend(db, who.userId, ownerId)) || (await coach());
    case 'coach':
      return coach();
    default:
      return false;
  }
}
