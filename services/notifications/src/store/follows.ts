import type { FollowUpdated } from '@wattstream/contracts';
import type { Queryable } from '@wattstream/kernel';

/**
 * Applies one follow edge change when it is newer than what is kept (the latest `updatedAt` per
 * pair wins, whatever order replays arrive in). True when it changed the projection.
 */
export async function applyFollow(db: Queryable, f: FollowUpdated): Promise<boolean> {
  const r = await db.query(
    `INSERT INTO follows (followee_id, follower_id, state, updated_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (followee_id, follower_id) DO UPDATE SET state = $3, updated_at = $4
     WHERE follows.updated_at < $4`,
    [f.followeeId, f.followerId, f.state, f.updatedAt],
  );
  return (r.rowCount ?? 0) > 0;
}

/** The followers the user accepted: who hears about the user's rides. */
export async function acceptedFollowers(db: Queryable, followeeId: string): Promise<string[]> {
  const { rows } = await db.query<{ follower_id: string }>(
    `SELECT follower_id FROM follows WHERE followee_id = $1 AND state = 'accepted' ORDER BY follower_id`,
    [followeeId],
  );
  return rows.map((r) => r.follower_id);
}

export async function followState(db: Queryable, followeeId: string, followerId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ state: string }>(
    'SELECT state FROM follows WHERE followee_id = $1 AND follower_id = $2',
    [followeeId, followerId],
  );
  return rows[0]?.state;
}
