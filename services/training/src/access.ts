import type { Identity, Queryable } from '@wattstream/kernel';
import { notFound } from '@wattstream/kernel';
import { coaches } from './store/projections.js';

/**
 * Object-level authorisation: an athlete's data is theirs and their coaches'. Anyone else gets
 * the same 404 as for an object that does not exist (never confirm another user's object).
 */
export async function mayAccess(db: Queryable, who: Identity, athleteId: string): Promise<boolean> {
  if (who.userId === athleteId) return true;
  return who.roles.includes('coach') && (await coaches(db, who.userId, athleteId));
}

export async function requireAccess(db: Queryable, who: Identity, athleteId: string, what: string): Promise<void> {
  if (!(await mayAccess(db, who, athleteId))) throw notFound(what);
}
