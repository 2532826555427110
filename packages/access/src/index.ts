import { type CoachLinkUpdated, kafkaTopics } from '@wattstream/contracts';
import { type Identity, notFound, type Queryable, type ServiceContext } from '@wattstream/kernel';

/**
 * The coach-link projection a service keeps in its own database, in a table it creates in its
 * migrations:
 *
 *   CREATE TABLE coach_links (athlete_id text, coach_id text, active boolean, updated_at bigint,
 *                             PRIMARY KEY (athlete_id, coach_id));
 *
 * The latest change per pair wins, whatever order replays arrive in.
 */
export async function upsertCoachLink(db: Queryable, e: CoachLinkUpdated): Promise<void> {
  await db.query(
    `INSERT INTO coach_links (athlete_id, coach_id, active, updated_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (athlete_id, coach_id) DO UPDATE SET active = $3, updated_at = $4 WHERE coach_links.updated_at <= $4`,
    [e.athleteId, e.coachId, e.active, e.updatedAt],
  );
}

/** Keeps the projection from the users service's coach links, in the service's consumer `group`. */
export function consumeCoachLinks(ctx: Pick<ServiceContext<unknown>, 'consume'>, group: string): void {
  ctx.consume({
    group,
    topic: kafkaTopics.coachLinkUpdated,
    async handle(event, tx) {
      if (event.value && tx) await upsertCoachLink(tx, event.value);
    },
  });
}

export async function eraseCoachLinks(db: Queryable, userId: string): Promise<void> {
  await db.query('DELETE FROM coach_links WHERE athlete_id = $1 OR coach_id = $1', [userId]);
}

export async function coaches(db: Queryable, coachId: string, athleteId: string): Promise<boolean> {
  const r = await db.query('SELECT 1 FROM coach_links WHERE athlete_id = $1 AND coach_id = $2 AND active', [
    athleteId,
    coachId,
  ]);
  return (r.rowCount ?? 0) > 0;
}

/**
 * Object-level authorisation (OWASP API1): an athlete's data is theirs and their coaches'.
 * Anyone else gets the same 404 as for an object that does not exist.
 */
export async function mayAccess(db: Queryable, who: Identity, athleteId: string): Promise<boolean> {
  if (who.userId === athleteId) return true;
  return who.roles.includes('coach') && (await coaches(db, who.userId, athleteId));
}

export async function requireAccess(db: Queryable, who: Identity, athleteId: string, what: string): Promise<void> {
  if (!(await mayAccess(db, who, athleteId))) throw notFound(what);
}
