import { randomUUID } from 'node:crypto';
import { type CoachInvitation, kafkaTopics } from '@wattstream/contracts';
import { notFound, type OutboxEvent, type Queryable } from '@wattstream/kernel';
import { WattstreamError } from '@wattstream/platform';
import { UsersErrorCode } from '../errors.js';

interface InvitationRow {
  id: string;
  athlete_id: string;
  athlete_name: string;
  coach_email: string;
  status: CoachInvitation['status'];
  created_at: Date;
}

const invitationOf = (r: InvitationRow): CoachInvitation => ({
  id: r.id,
  athleteId: r.athlete_id,
  athleteName: r.athlete_name,
  coachEmail: r.coach_email,
  status: r.status,
  createdAt: r.created_at.toISOString(),
});

export function linkEvent(
  athleteId: string,
  coachId: string,
  active: boolean,
): OutboxEvent<typeof kafkaTopics.coachLinkUpdated> {
  const updatedAt = Date.now();
  return {
    topic: kafkaTopics.coachLinkUpdated,
    key: athleteId,
    value: { athleteId, coachId, active, updatedAt },
    id: `${athleteId}:${coachId}:${updatedAt}`,
  };
}

/**
 * An athlete invites a coach by e-mail. The answer is the same whether or not such a coach exists
 * (no account enumeration); the coach sees it when they list their invitations.
 */
export async function invite(db: Queryable, athleteId: string, coachEmail: string): Promise<CoachInvitation> {
  try {
    const { rows } = await db.query<InvitationRow>(
      `INSERT INTO coach_invitations (id, athlete_id, coach_email, status) VALUES ($1, $2, $3, 'pending')
       RETURNING id, athlete_id, coach_email, status, created_at,
         (SELECT display_name FROM users WHERE id = $2) AS athlete_name`,
      [randomUUID(), athleteId, coachEmail],
    );
    return invitationOf(rows[0]!);
  } catch (err) {
    if ((err as { code?: string }).code === '23505') {
      throw new WattstreamError(
        UsersErrorCode.InvitationInvalid,
        'you already invited this coach; wait for an answer',
        {
          statusCode: 409,
        },
      );
    }
    throw err;
  }
}

/** Invitations addressed to this coach's e-mail, still pending. */
export async function invitationsFor(db: Queryable, coachEmail: string): Promise<CoachInvitation[]> {
  const { rows } = await db.query<InvitationRow>(
    `SELECT i.id, i.athlete_id, u.display_name AS athlete_name, i.coach_email, i.status, i.created_at
     FROM coach_invitations i JOIN users u ON u.id = i.athlete_id
     WHERE lower(i.coach_email) = lower($1) AND i.status = 'pending' ORDER BY i.created_at`,
    [coachEmail],
  );
  return rows.map(invitationOf);
}

/**
 * The coach answers an invitation addressed to them. Someone else's invitation id is a 404, the
 * same as an unknown one (BOLA: never confirm that another user's object exists).
 */
export async function answerInvitation(
  tx: Queryable,
  id: string,
  coach: { id: string; email: string },
  accept: boolean,
): Promise<{ athleteId: string; linked: boolean }> {
  const { rows } = await tx.query<{ athlete_id: string }>(
    `UPDATE coach_invitations SET status = $3, decided_at = now()
     WHERE id = $1 AND lower(coach_email) = lower($2) AND status = 'pending' RETURNING athlete_id`,
    [id, coach.email, accept ? 'accepted' : 'declined'],
  );
  const athleteId = rows[0]?.athlete_id;
  if (!athleteId) throw notFound('invitation');
  if (athleteId === coach.id) {
    throw new WattstreamError(UsersErrorCode.InvitationInvalid, 'you cannot coach yourself', { statusCode: 409 });
  }
  if (!accept) return { athleteId, linked: false };
  const r = await tx.query('INSERT INTO coach_links (athlete_id, coach_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
    athleteId,
    coach.id,
  ]);
  return { athleteId, linked: (r.rowCount ?? 0) > 0 };
}

/** Ends a link; either side may. False when there was none. */
export async function unlink(db: Queryable, athleteId: string, coachId: string): Promise<boolean> {
  const r = await db.query('DELETE FROM coach_links WHERE athlete_id = $1 AND coach_id = $2', [athleteId, coachId]);
  return (r.rowCount ?? 0) > 0;
}

export async function coachesOf(db: Queryable, athleteId: string) {
  const { rows } = await db.query<{ id: string; display_name: string; created_at: Date }>(
    `SELECT u.id, u.display_name, l.created_at FROM coach_links l JOIN users u ON u.id = l.coach_id
     WHERE l.athlete_id = $1 ORDER BY l.created_at`,
    [athleteId],
  );
  return rows.map((r) => ({ id: r.id, displayName: r.display_name, since: r.created_at.toISOString() }));
}

export async function athletesOf(db: Queryable, coachId: string) {
  const { rows } = await db.query<{ id: string; display_name: string; created_at: Date }>(
    `SELECT u.id, u.display_name, l.created_at FROM coach_links l JOIN users u ON u.id = l.athlete_id
     WHERE l.coach_id = $1 ORDER BY l.created_at`,
    [coachId],
  );
  return rows.map((r) => ({ id: r.id, displayName: r.display_name, since: r.created_at.toISOString() }));
}

export async function coaches(db: Queryable, coachId: string, athleteId: string): Promise<boolean> {
  const r = await db.query('SELECT 1 FROM coach_links WHERE athlete_id = $1 AND coach_id = $2', [athleteId, coachId]);
  return (r.rowCount ?? 0) > 0;
}
