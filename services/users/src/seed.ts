import type { ServiceContext } from '@wattstream/kernel';
import { hashPassword } from './passwords.js';
import { linkEvent } from './store/coaching.js';
import { insertDefaultProfile, profileEvent } from './store/profiles.js';
import { contactEvent, userById } from './store/users.js';

export interface SeedAthlete {
  id: string;
  email: string;
  displayName: string;
  ftp: number;
  weightKg: number;
}

/**
 * Creates the given athletes with their profiles when they do not exist yet (the simulated fleet
 * of the main job), emitting their `user.profile.updated`. Existing ones are left as they are, so
 * seeding twice changes nothing. Returns the ids created.
 */
export async function seedAthletes(
  ctx: ServiceContext<unknown>,
  athletes: SeedAthlete[],
  password: string,
): Promise<string[]> {
  const passwordHash = await hashPassword(password);
  const created: string[] = [];
  for (const a of athletes) {
    await ctx.tx(async (tx) => {
      const r = await tx.query(
        `INSERT INTO users (id, email, password_hash, display_name, roles) VALUES ($1, $2, $3, $4, ARRAY['athlete'])
         ON CONFLICT DO NOTHING`,
        [a.id, a.email, passwordHash, a.displayName],
      );
      if ((r.rowCount ?? 0) === 0) return;
      const p = await insertDefaultProfile(tx, a.id, {
        ftp: a.ftp,
        cp: Math.round(a.ftp * 1.05),
        weightKg: a.weightKg,
      });
      const u = await userById(tx, a.id);
      await ctx.outbox.enqueue(tx, profileEvent(p), ...(u ? [contactEvent(u)] : []));
      created.push(a.id);
    });
  }
  return created;
}

/** The fleet's coach: the account the main job's dashboard signs in with. */
export const FLEET_COACH = { id: 'sim-coach', email: 'coach@fleet.wattstream.local', displayName: 'Fleet coach' };

/**
 * Creates the fleet's coach (role coach) if missing and links them to every athlete given that
 * has no link yet, each link with its `user.coach.link.updated`, as if each athlete had invited the
 * coach and the coach had accepted. Idempotent. Returns the athletes newly linked.
 */
export async function seedCoach(ctx: ServiceContext<unknown>, athleteIds: string[], password: string): Promise<number> {
  const passwordHash = await hashPassword(password);
  return ctx.tx(async (tx) => {
    await tx.query(
      `INSERT INTO users (id, email, password_hash, display_name, roles) VALUES ($1, $2, $3, $4, ARRAY['athlete', 'coach'])
       ON CONFLICT DO NOTHING`,
      [FLEET_COACH.id, FLEET_COACH.email, passwordHash, FLEET_COACH.displayName],
    );
    let linked = 0;
    for (const athleteId of athleteIds) {
      const r = await tx.query(
        'INSERT INTO coach_links (athlete_id, coach_id) VALUES ($1, $2) ON CONFLICT DO NOTHING',
        [athleteId, FLEET_COACH.id],
      );
      if ((r.rowCount ?? 0) === 0) continue;
      await ctx.outbox.enqueue(tx, linkEvent(athleteId, FLEET_COACH.id, true));
      linked++;
    }
    return linked;
  });
}

/** The simulated fleet's athletes: FTPs from 180 W up in 15 W steps, weights 60–85 kg. */
export function fleetAthletes(ids: string[], domain = 'fleet.wattstream.local'): SeedAthlete[] {
  return ids.map((id, i) => ({
    id,
    email: `${id}@${domain}`,
    displayName: `Sim rider ${i + 1}`,
    ftp: 180 + (i % 12) * 15,
    weightKg: 60 + (i % 6) * 5,
  }));
}
