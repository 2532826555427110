import {
  type Activity,
  type ActivitySummary,
  type Audience,
  DEFAULT_PRIVACY,
  type FriendActivityUpdated,
  kafkaTopics,
  type SessionSummarized,
  type TrainingStarted,
} from '@wattstream/contracts';
import { decodeCursor, keysetPage, type OutboxEvent, type Queryable } from '@wattstream/kernel';
import { privacyOf } from './privacy.js';
import { iso } from './time.js';

interface ActivityRow {
  activity_id: string;
  actor_id: string;
  state: 'live' | 'completed';
  sport: FriendActivityUpdated['sport'];
  started_at: string;
  summary: ActivitySummary | null;
  revision: number;
  kudos: number;
  comments: number;
  kudoed: boolean;
}

const activityOf = (r: ActivityRow): Activity => ({
  activityId: r.activity_id,
  actorId: r.actor_id,
  state: r.state,
  sport: r.sport,
  startedAt: iso(r.started_at),
  summary: r.summary,
  kudos: r.kudos,
  comments: r.comments,
  kudoed: r.kudoed,
});

const sportOf = (s: SessionSummarized['sport']): FriendActivityUpdated['sport'] =>
  s === 'cycling' ? 'ride' : s === 'running' ? 'run' : 'other';

/** Who a `friend.activity.updated` reaches, from the athlete's `sessions` audience. */
const visibilityOf = (a: Audience): FriendActivityUpdated['visibility'] =>
  a === 'public' ? 'public' : a === 'friends' ? 'followers' : 'private';

async function activityEvent(
  tx: Queryable,
  e: Omit<FriendActivityUpdated, 'visibility'>,
  id: string,
): Promise<OutboxEvent<typeof kafkaTopics.friendActivityUpdated>> {
  const visibility = visibilityOf((await privacyOf(tx, e.actorId)).sessions);
  return { topic: kafkaTopics.friendActivityUpdated, key: e.actorId, id, value: { ...e, visibility } };
}

/** A ride started (the stream's `training.started`): a live feed item, announced once. */
export async function activityStarted(tx: Queryable, e: TrainingStarted): Promise<OutboxEvent[]> {
  const r = await tx.query(
    `INSERT INTO activities (activity_id, actor_id, state, sport, started_at, updated_at)
     VALUES ($1, $2, 'live', 'ride', $3, $4) ON CONFLICT (activity_id) DO NOTHING`,
    [e.sessionId, e.athleteId, e.startedAt, Date.now()],
  );
  if ((r.rowCount ?? 0) === 0) return [];
  const event = await activityEvent(
    tx,
    { activityId: e.sessionId, actorId: e.athleteId, verb: 'started', sport: 'ride', occurredAt: e.startedAt },
    `${e.sessionId}:started`,
  );
  return [event];
}

/**
 * A session's summary (training's `training.session.summarized`, any source): the feed item
 * completes, or takes a newer revision; an older or repeated revision changes nothing.
 */
export async function activitySummarized(tx: Queryable, e: SessionSummarized): Promise<OutboxEvent[]> {
  const { rows } = await tx.query<{ state: string; revision: number }>(
    'SELECT state, revision FROM activities WHERE activity_id = $1 FOR UPDATE',
    [e.sessionId],
  );
  const prev = rows[0];
  if (prev && prev.revision >= e.revision) return [];
  const summary: ActivitySummary = { durationS: e.durationS, distanceM: e.distanceM, kj: e.kj, avgPower: e.avgPower };
  const sport = sportOf(e.sport);
  await tx.query(
    `INSERT INTO activities (activity_id, actor_id, state, sport, started_at, summary, revision, updated_at)
     VALUES ($1, $2, 'completed', $3, $4, $5, $6, $7)
     ON CONFLICT (activity_id) DO UPDATE SET state = 'completed', sport = $3, started_at = $4, summary = $5,
       revision = $6, updated_at = $7`,
    [e.sessionId, e.athleteId, sport, e.startedAt, JSON.stringify(summary), e.revision, Date.now()],
  );
  const verb = prev?.state === 'completed' ? 'updated' : 'completed';
  const event = await activityEvent(
    tx,
    { activityId: e.sessionId, actorId: e.athleteId, verb, sport, summary, occurredAt: e.summarizedAt },
    `${e.sessionId}:${e.revision}`,
  );
  return [event];
}

const COLUMNS = `a.*,
  (SELECT count(*) FROM kudos k WHERE k.activity_id = a.activity_id)::int AS kudos,
  (SELECT count(*) FROM comments c WHERE c.activity_id = a.activity_id)::int AS comments,
  EXISTS (SELECT 1 FROM kudos k WHERE k.activity_id = a.activity_id AND k.user_id = $1) AS kudoed`;

/** One activity as `viewerId` sees it (counts, their kudos); whether they may see it is the caller's check. */
export async function activityById(db: Queryable, id: string, viewerId: string): Promise<Activity | undefined> {
  const { rows } = await db.query<ActivityRow>(`SELECT ${COLUMNS} FROM activities a WHERE a.activity_id = $2`, [
    viewerId,
    id,
  ]);
  return rows[0] && activityOf(rows[0]);
}

export async function actorOf(db: Queryable, id: string): Promise<string | undefined> {
  const { rows } = await db.query<{ actor_id: string }>('SELECT actor_id FROM activities WHERE activity_id = $1', [id]);
  return rows[0]?.actor_id;
}

/**
 * The viewer's feed, newest ride first: their own activities, those of the people they follow
 * (accepted) whose `sessions` audience is `friends` or `public`, and, for a coach, their athletes'
 * unless the athlete chose `nobody`. The same rule as `maySee`, in one query.
 */
export async function feedOf(
  db: Queryable,
  viewer: { userId: string; coach: boolean },
  limit: number,
  cursor: string | undefined,
) {
  const pos = cursor ? decodeCursor(cursor) : undefined;
  const audience = `COALESCE((SELECT p.sessions FROM privacy p WHERE p.athlete_id = a.actor_id), $2)`;
  const { rows } = await db.query<ActivityRow>(
    `SELECT ${COLUMNS} FROM activities a
     WHERE (a.actor_id = $1
        OR (a.actor_id IN (SELECT followee_id FROM follows WHERE follower_id = $1 AND state = 'accepted')
            AND ${audience} IN ('public', 'friends'))
        OR ($3 AND a.actor_id IN (SELECT athlete_id FROM coach_links WHERE coach_id = $1 AND active)
            AND ${audience} IN ('public', 'friends', 'coach')))
       ${pos ? 'AND (a.started_at, a.activity_id) < ($5::bigint, $6)' : ''}
     ORDER BY a.started_at DESC, a.activity_id DESC LIMIT $4`,
    [viewer.userId, DEFAULT_PRIVACY.sessions, viewer.coach, limit + 1, ...(pos ? [pos.at, pos.id] : [])],
  );
  return keysetPage(rows, limit, (r) => ({ at: r.started_at, id: r.activity_id }), activityOf);
}

export async function setKudos(db: Queryable, activityId: string, userId: string, on: boolean): Promise<void> {
  if (on) {
    await db.query('INSERT INTO kudos (activity_id, user_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
      activityId,
      userId,
      Date.now(),
    ]);
  } else {
    await db.query('DELETE FROM kudos WHERE activity_id = $1 AND user_id = $2', [activityId, userId]);
  }
}

/** An athlete's feed items and what they gave others (account deletion); comments cascade. */
export async function eraseActivitiesOf(tx: Queryable, userId: string): Promise<void> {
  await tx.query('DELETE FROM activities WHERE actor_id = $1', [userId]);
  await tx.query('DELETE FROM kudos WHERE user_id = $1', [userId]);
  await tx.query('DELETE FROM comments WHERE author_id = $1', [userId]);
}
