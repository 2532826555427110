import { randomUUID } from 'node:crypto';
import { type Group, type GroupInput, type GroupRankBy, kafkaTopics, MAX_GROUP_MEMBERS } from '@wattstream/contracts';
import { notFound, type OutboxEvent, type Queryable } from '@wattstream/kernel';
import { WattstreamError } from '@wattstream/platform';
import { SocialErrorCode } from '../errors.js';
import { after, iso } from './time.js';

interface GroupRow {
  group_id: string;
  owner_id: string;
  name: string;
  rank_by: GroupRankBy;
  starts_at: string | null;
  updated_at: string;
}
type MemberState = 'invited' | 'joined';
type Members = { athleteId: string; state: MemberState }[];

const groupOf = (r: GroupRow, members: Members): Group => ({
  groupId: r.group_id,
  ownerId: r.owner_id,
  name: r.name,
  rankBy: r.rank_by,
  startsAt: r.starts_at === null ? null : iso(r.starts_at),
  members,
  liveChannel: `group:${r.group_id}`,
});

async function membersOf(db: Queryable, groupId: string): Promise<Members> {
  const { rows } = await db.query<{ athlete_id: string; state: MemberState }>(
    'SELECT athlete_id, state FROM group_members WHERE group_id = $1 ORDER BY athlete_id',
    [groupId],
  );
  return rows.map((r) => ({ athleteId: r.athlete_id, state: r.state }));
}

/**
 * The compacted `live.group.updated` the live server builds its leaderboard from: the joined
 * members only (an invitation shows nobody's power).
 */
async function groupEvent(
  tx: Queryable,
  r: GroupRow,
  updatedBy: string,
): Promise<OutboxEvent<typeof kafkaTopics.groupUpdated>> {
  const updatedAt = after(r.updated_at);
  await tx.query('UPDATE groups SET updated_at = $2 WHERE group_id = $1', [r.group_id, updatedAt]);
  const joined = (await membersOf(tx, r.group_id)).filter((m) => m.state === 'joined').map((m) => m.athleteId);
  return {
    topic: kafkaTopics.groupUpdated,
    key: r.group_id,
    id: `${r.group_id}:${updatedAt}`,
    value: { groupId: r.group_id, name: r.name, members: joined, rankBy: r.rank_by, updatedBy, updatedAt },
  };
}

const tombstone = (groupId: string): OutboxEvent => ({ topic: kafkaTopics.groupUpdated, key: groupId, value: null });

export async function lockGroup(tx: Queryable, groupId: string): Promise<GroupRow | undefined> {
  const { rows } = await tx.query<GroupRow>('SELECT * FROM groups WHERE group_id = $1 FOR UPDATE', [groupId]);
  return rows[0];
}

/** A group ride the caller owns, with them as its first joined member. */
export async function createGroup(tx: Queryable, ownerId: string, input: GroupInput) {
  const groupId = randomUUID();
  const { rows } = await tx.query<GroupRow>(
    `INSERT INTO groups (group_id, owner_id, name, rank_by, starts_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
     RETURNING *`,
    [groupId, ownerId, input.name, input.rankBy, input.startsAt ? Date.parse(input.startsAt) : null, 0],
  );
  await tx.query("INSERT INTO group_members (group_id, athlete_id, state) VALUES ($1, $2, 'joined')", [
    groupId,
    ownerId,
  ]);
  const event = await groupEvent(tx, rows[0]!, ownerId);
  return { group: groupOf(rows[0]!, await membersOf(tx, groupId)), events: [event] };
}

/** A group as `userId` may see it: its owner, members and invitees (and admins); else undefined. */
export async function groupFor(db: Queryable, groupId: string, userId: string, admin: boolean) {
  const { rows } = await db.query<GroupRow>('SELECT * FROM groups WHERE group_id = $1', [groupId]);
  const r = rows[0];
  if (!r) return undefined;
  const members = await membersOf(db, groupId);
  if (!admin && r.owner_id !== userId && !members.some((m) => m.athleteId === userId)) return undefined;
  return groupOf(r, members);
}

/** The groups `userId` owns or is in (invited or joined), newest first, at most `limit`. */
export async function groupsOf(db: Queryable, userId: string, limit: number): Promise<Group[]> {
  const { rows } = await db.query<GroupRow>(
    `SELECT g.* FROM groups g WHERE g.owner_id = $1
        OR g.group_id IN (SELECT group_id FROM group_members WHERE athlete_id = $1)
     ORDER BY g.updated_at DESC LIMIT $2`,
    [userId, limit],
  );
  return Promise.all(rows.map(async (r) => groupOf(r, await membersOf(db, r.group_id))));
}

export async function invite(tx: Queryable, g: GroupRow, athleteId: string) {
  const members = await membersOf(tx, g.group_id);
  if (!members.some((m) => m.athleteId === athleteId)) {
    if (members.length >= MAX_GROUP_MEMBERS) {
      throw new WattstreamError(SocialErrorCode.GroupFull, `a group has at most ${MAX_GROUP_MEMBERS} members`, {
        statusCode: 409,
      });
    }
    await tx.query("INSERT INTO group_members (group_id, athlete_id, state) VALUES ($1, $2, 'invited')", [
      g.group_id,
      athleteId,
    ]);
  }
  return groupOf(g, await membersOf(tx, g.group_id));
}

/** An invitee joins: from now on on the leaderboard. */
export async function join(tx: Queryable, g: GroupRow, athleteId: string) {
  const r = await tx.query<{ state: MemberState }>(
    'SELECT state FROM group_members WHERE group_id = $1 AND athlete_id = $2 FOR UPDATE',
    [g.group_id, athleteId],
  );
  const state = r.rows[0]?.state;
  if (state === undefined) throw notFound('group');
  const events: OutboxEvent[] = [];
  if (state === 'invited') {
    await tx.query("UPDATE group_members SET state = 'joined' WHERE group_id = $1 AND athlete_id = $2", [
      g.group_id,
      athleteId,
    ]);
    events.push(await groupEvent(tx, g, athleteId));
  }
  return { group: groupOf(g, await membersOf(tx, g.group_id)), events };
}

/** Takes a member or invitee out; a joined one leaves the leaderboard. */
export async function removeMember(tx: Queryable, g: GroupRow, athleteId: string, by: string) {
  const r = await tx.query<{ state: MemberState }>(
    'DELETE FROM group_members WHERE group_id = $1 AND athlete_id = $2 RETURNING state',
    [g.group_id, athleteId],
  );
  const state = r.rows[0]?.state;
  if (state === undefined) throw notFound('member');
  return state === 'joined' ? [await groupEvent(tx, g, by)] : [];
}

export async function deleteGroup(tx: Queryable, groupId: string): Promise<OutboxEvent[]> {
  await tx.query('DELETE FROM groups WHERE group_id = $1', [groupId]);
  return [tombstone(groupId)];
}

/** Account deletion: the user's own group rides go, and they leave everyone else's. */
export async function eraseGroupsOf(tx: Queryable, userId: string): Promise<OutboxEvent[]> {
  const events: OutboxEvent[] = [];
  const owned = await tx.query<{ group_id: string }>('DELETE FROM groups WHERE owner_id = $1 RETURNING group_id', [
    userId,
  ]);
  for (const r of owned.rows) events.push(tombstone(r.group_id));
  const joined = await tx.query<{ group_id: string; state: MemberState }>(
    'DELETE FROM group_members WHERE athlete_id = $1 RETURNING group_id, state',
    [userId],
  );
  for (const m of joined.rows) {
    const g = m.state === 'joined' ? await lockGroup(tx, m.group_id) : undefined;
    if (g) events.push(await groupEvent(tx, g, g.owner_id));
  }
  return events;
}
