import { type Follow, type FollowUpdated, kafkaTopics } from '@wattstream/contracts';
import { decodeCursor, keysetPage, notFound, type OutboxEvent, type Queryable } from '@wattstream/kernel';
import { WattstreamError } from '@wattstream/platform';
import { SocialErrorCode } from '../errors.js';
import { after, iso } from './time.js';

type State = FollowUpdated['state'];
interface FollowRow {
  follower_id: string;
  followee_id: string;
  state: State;
  updated_at: string;
}

const followOf = (r: FollowRow): Follow => ({
  followerId: r.follower_id,
  followeeId: r.followee_id,
  state: r.state,
  updatedAt: iso(r.updated_at),
});

export function followEvent(e: FollowUpdated): OutboxEvent<typeof kafkaTopics.followUpdated> {
  return {
    topic: kafkaTopics.followUpdated,
    key: e.followeeId,
    id: `${e.followeeId}:${e.followerId}:${e.updatedAt}`,
    value: e,
  };
}

async function lockEdge(tx: Queryable, followerId: string, followeeId: string): Promise<FollowRow | undefined> {
  const { rows } = await tx.query<FollowRow>(
    'SELECT * FROM follows WHERE follower_id = $1 AND followee_id = $2 FOR UPDATE',
    [followerId, followeeId],
  );
  return rows[0];
}

/** Moves one edge to `state` and returns the event that says so. */
async function setEdge(
  tx: Queryable,
  prev: FollowRow | undefined,
  followerId: string,
  followeeId: string,
  state: State,
) {
  const updatedAt = after(prev?.updated_at);
  const { rows } = await tx.query<FollowRow>(
    `INSERT INTO follows (follower_id, followee_id, state, updated_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (follower_id, followee_id) DO UPDATE SET state = $3, updated_at = $4 RETURNING *`,
    [followerId, followeeId, state, updatedAt],
  );
  return { follow: followOf(rows[0]!), event: followEvent({ followerId, followeeId, state, updatedAt }) };
}

const live = (r: FollowRow | undefined) => r?.state === 'requested' || r?.state === 'accepted';

/**
 * `followerId` asks to follow `followeeId`. Asking again while a request or a follow stands changes
 * nothing; a user blocked by the followee gets the 404 of an unknown user (a block is not revealed).
 */
export async function requestFollow(tx: Queryable, followerId: string, followeeId: string) {
  if (followerId === followeeId) {
    throw new WattstreamError(SocialErrorCode.SelfFollow, 'you cannot follow yourself', {
      statusCode: 400,
      details: { fields: [{ field: 'body.followeeId', message: 'is your own id' }] },
    });
  }
  const prev = await lockEdge(tx, followerId, followeeId);
  if (prev?.state === 'blocked') throw notFound('user');
  if (prev && live(prev)) return { follow: followOf(prev), events: [] };
  const r = await setEdge(tx, prev, followerId, followeeId, 'requested');
  return { follow: r.follow, events: [r.event] };
}

/**
 * The followee answers: accept or decline a pending request, or block the follower, which also
 * ends any follow the other way.
 */
export async function decideFollower(
  tx: Queryable,
  followeeId: string,
  followerId: string,
  state: 'accepted' | 'declined' | 'blocked',
) {
  const prev = await lockEdge(tx, followerId, followeeId);
  if (state === 'blocked') {
    const events: OutboxEvent[] = [];
    if (prev?.state === 'blocked') return { follow: followOf(prev), events };
    const r = await setEdge(tx, prev, followerId, followeeId, 'blocked');
    events.push(r.event);
    const reverse = await lockEdge(tx, followeeId, followerId);
    if (live(reverse)) events.push((await setEdge(tx, reverse, followeeId, followerId, 'removed')).event);
    return { follow: r.follow, events };
  }
  if (prev?.state === state) return { follow: followOf(prev), events: [] };
  if (prev?.state !== 'requested') throw notFound('follow request');
  const r = await setEdge(tx, prev, followerId, followeeId, state);
  return { follow: r.follow, events: [r.event] };
}

/** Ends an edge: the follower unfollows, or the followee removes a follower or lifts a block. */
export async function removeEdge(tx: Queryable, followerId: string, followeeId: string, blocksToo: boolean) {
  const prev = await lockEdge(tx, followerId, followeeId);
  if (!(live(prev) || (blocksToo && prev?.state === 'blocked'))) throw notFound('follow');
  return (await setEdge(tx, prev, followerId, followeeId, 'removed')).event;
}

/** The caller's edges, newest change first: `as: 'follower'` whom they follow, `'followee'` who follows them. */
export async function listFollows(
  db: Queryable,
  userId: string,
  as: 'follower' | 'followee',
  states: State[],
  limit: number,
  cursor: string | undefined,
) {
  const mine = as === 'follower' ? 'follower_id' : 'followee_id';
  const other = as === 'follower' ? 'followee_id' : 'follower_id';
  const pos = cursor ? decodeCursor(cursor) : undefined;
  const { rows } = await db.query<FollowRow>(
    `SELECT * FROM follows WHERE ${mine} = $1 AND state = ANY($2)
     ${pos ? `AND (updated_at, ${other}) < ($4::bigint, $5)` : ''}
     ORDER BY updated_at DESC, ${other} DESC LIMIT $3`,
    pos ? [userId, states, limit + 1, pos.at, pos.id] : [userId, states, limit + 1],
  );
  return keysetPage(rows, limit, (r) => ({ at: r.updated_at, id: r[other] }), followOf);
}

/** Does `followeeId` accept `followerId` as a follower? */
export async function isFriend(db: Queryable, followerId: string, followeeId: string): Promise<boolean> {
  const { rows } = await db.query<{ state: State }>(
    'SELECT state FROM follows WHERE follower_id = $1 AND followee_id = $2',
    [followerId, followeeId],
  );
  return rows[0]?.state === 'accepted';
}

/** Has `ownerId` blocked `userId`? */
export async function isBlockedBy(db: Queryable, userId: string, ownerId: string): Promise<boolean> {
  const { rows } = await db.query<{ state: State }>(
    'SELECT state FROM follows WHERE follower_id = $1 AND followee_id = $2',
    [userId, ownerId],
  );
  return rows[0]?.state === 'blocked';
}

/** Every edge `userId` is on that is not already removed, ended (account deletion). */
export async function endEdgesOf(tx: Queryable, userId: string): Promise<OutboxEvent[]> {
  const { rows } = await tx.query<FollowRow>(
    `SELECT * FROM follows WHERE (follower_id = $1 OR followee_id = $1) AND state <> 'removed' FOR UPDATE`,
    [userId],
  );
  const events = rows.map((r) =>
    followEvent({
      followerId: r.follower_id,
      followeeId: r.followee_id,
      state: 'removed',
      updatedAt: after(r.updated_at),
    }),
  );
  await tx.query('DELETE FROM follows WHERE follower_id = $1 OR followee_id = $1', [userId]);
  return events;
}
