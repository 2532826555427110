import { eraseCoachLinks } from '@wattstream/access';
import type { ProfileUpdated } from '@wattstream/contracts';
import type { Queryable } from '@wattstream/kernel';
import { DEFAULT_PROFILE, type Profile } from '@wattstream/metrics';

/** The latest profile per athlete wins (the topic is compacted, but replays arrive in any age). */
export async function upsertProfile(db: Queryable, p: ProfileUpdated): Promise<void> {
  await db.query(
    `INSERT INTO profiles (athlete_id, ftp, cp, w_prime, max_hr, lthr, weight_kg, power_zone_bounds, hr_zone_bounds, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (athlete_id) DO UPDATE SET ftp = $2, cp = $3, w_prime = $4, max_hr = $5, lthr = $6, weight_kg = $7,
       power_zone_bounds = $8, hr_zone_bounds = $9, updated_at = $10
     WHERE profiles.updated_at <= $10`,
    [
      p.athleteId,
      p.ftp,
      p.cp,
      p.wPrime,
      p.maxHr,
      p.lthr,
      p.weightKg,
      p.powerZoneBounds ? JSON.stringify(p.powerZoneBounds) : null,
      p.hrZoneBounds ? JSON.stringify(p.hrZoneBounds) : null,
      p.updatedAt,
    ],
  );
}

export async function deleteProfile(db: Queryable, athleteId: string): Promise<void> {
  await db.query('DELETE FROM profiles WHERE athlete_id = $1', [athleteId]);
}

interface ProfileRow {
  ftp: number;
  cp: number;
  w_prime: number;
  max_hr: number;
  lthr: number;
  weight_kg: number;
  power_zone_bounds: number[] | null;
  hr_zone_bounds: number[] | null;
}

/** The athlete's profile, or the stream's documented defaults when users has sent none yet. */
export async function profileOf(db: Queryable, athleteId: string): Promise<{ profile: Profile; known: boolean }> {
  const { rows } = await db.query<ProfileRow>('SELECT * FROM profiles WHERE athlete_id = $1', [athleteId]);
  const r = rows[0];
  if (!r) return { profile: DEFAULT_PROFILE, known: false };
  return {
    known: true,
    profile: {
      ftp: r.ftp,
      cp: r.cp,
      wPrime: r.w_prime,
      maxHr: r.max_hr,
      lthr: r.lthr,
      weightKg: r.weight_kg,
      ...(r.power_zone_bounds ? { powerZoneBounds: r.power_zone_bounds } : {}),
      ...(r.hr_zone_bounds ? { hrZoneBounds: r.hr_zone_bounds } : {}),
    },
  };
}

/** GDPR erasure: everything training keeps of a user. */
export async function eraseUser(db: Queryable, userId: string): Promise<void> {
  await db.query('DELETE FROM sessions WHERE athlete_id = $1', [userId]);
  await db.query('DELETE FROM assignments WHERE athlete_id = $1', [userId]);
  await db.query('DELETE FROM workouts WHERE athlete_id = $1', [userId]);
  await db.query('DELETE FROM profiles WHERE athlete_id = $1', [userId]);
  await eraseCoachLinks(db, userId);
}
