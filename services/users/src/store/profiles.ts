import {
  DEFAULT_TRAINING_PROFILE,
  kafkaTopics,
  type Profile,
  type ProfileUpdate,
  type ProfileUpdated,
} from '@wattstream/contracts';
import { KernelErrorCode, type OutboxEvent, type Queryable } from '@wattstream/kernel';
import { WattstreamError } from '@wattstream/platform';
import { UsersErrorCode } from '../errors.js';

interface ProfileRow {
  athlete_id: string;
  ftp: number;
  cp: number;
  w_prime: number;
  max_hr: number;
  lthr: number;
  weight_kg: number;
  power_zone_bounds: number[];
  hr_zone_bounds: number[];
  units: 'metric' | 'imperial';
  version: number;
  updated_at: Date;
}

const COLUMNS =
  'athlete_id, ftp, cp, w_prime, max_hr, lthr, weight_kg, power_zone_bounds, hr_zone_bounds, units, version, updated_at';
/** real[] comes back with float4 noise (0.55 → 0.550000011920929); profile fractions have at most 4 digits. */
const tidy = (xs: number[]) => xs.map((x) => Math.round(x * 10_000) / 10_000);
const tidyKg = (x: number) => Math.round(x * 100) / 100;

export const etagOf = (version: number): string => `"v${version}"`;

export function profileOf(r: ProfileRow): Profile {
  return {
    athleteId: r.athlete_id,
    ftp: r.ftp,
    cp: r.cp,
    wPrime: r.w_prime,
    maxHr: r.max_hr,
    lthr: r.lthr,
    weightKg: tidyKg(r.weight_kg),
    powerZoneBounds: tidy(r.power_zone_bounds),
    hrZoneBounds: tidy(r.hr_zone_bounds),
    units: r.units,
    version: r.version,
    updatedAt: r.updated_at.toISOString(),
  };
}

/** The `user.profile.updated` event of a profile row (ce_id `{athleteId}:{updatedAt}` per the contract). */
export function profileEvent(p: Profile): OutboxEvent<typeof kafkaTopics.profileUpdated> {
  const updatedAt = Date.parse(p.updatedAt);
  const value: ProfileUpdated = {
    athleteId: p.athleteId,
    ftp: p.ftp,
    cp: p.cp,
    wPrime: p.wPrime,
    maxHr: p.maxHr,
    lthr: p.lthr,
    weightKg: p.weightKg,
    powerZoneBounds: p.powerZoneBounds,
    hrZoneBounds: p.hrZoneBounds,
    units: p.units,
    updatedAt,
  };
  return { topic: kafkaTopics.profileUpdated, key: p.athleteId, value, id: `${p.athleteId}:${updatedAt}` };
}

/** Rules JSON Schema cannot say; each problem names the field. */
export function checkProfile(u: ProfileUpdate): void {
  const fields: { field: string; message: string }[] = [];
  const increasing = (xs: number[]) => xs.every((x, i) => i === 0 || x > (xs[i - 1] as number));
  if (!increasing(u.powerZoneBounds)) fields.push({ field: 'body.powerZoneBounds', message: 'must be increasing' });
  if (!increasing(u.hrZoneBounds)) fields.push({ field: 'body.hrZoneBounds', message: 'must be increasing' });
  if (u.lthr >= u.maxHr) fields.push({ field: 'body.lthr', message: 'must be below maxHr' });
  const first = fields[0];
  if (first) {
    throw new WattstreamError(UsersErrorCode.ProfileInvalid, `${first.field}: ${first.message}`, {
      statusCode: 400,
      details: { fields },
    });
  }
}

export async function insertDefaultProfile(
  db: Queryable,
  athleteId: string,
  overrides: Partial<ProfileUpdate> = {},
): Promise<Profile> {
  const d = { ...DEFAULT_TRAINING_PROFILE, ...overrides };
  const { rows } = await db.query<ProfileRow>(
    `INSERT INTO profiles (athlete_id, ftp, cp, w_prime, max_hr, lthr, weight_kg, power_zone_bounds, hr_zone_bounds, units, version, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, date_trunc('milliseconds', clock_timestamp()))
     RETURNING ${COLUMNS}`,
    [athleteId, d.ftp, d.cp, d.wPrime, d.maxHr, d.lthr, d.weightKg, d.powerZoneBounds, d.hrZoneBounds, d.units],
  );
  return profileOf(rows[0]!);
}

export async function profileById(db: Queryable, athleteId: string): Promise<Profile | undefined> {
  const { rows } = await db.query<ProfileRow>(`SELECT ${COLUMNS} FROM profiles WHERE athlete_id = $1`, [athleteId]);
  return rows[0] ? profileOf(rows[0]) : undefined;
}

/**
 * Replaces a profile if its version is still `expected` (the `If-Match` the client sent), else a
 * 412: an update made from a stale copy would silently undo someone else's change. The row lock
 * also orders this athlete's profile events in the outbox.
 */
export async function updateProfile(
  tx: Queryable,
  athleteId: string,
  expected: number,
  u: ProfileUpdate,
): Promise<Profile> {
  const current = await tx.query<{ version: number }>('SELECT version FROM profiles WHERE athlete_id = $1 FOR UPDATE', [
    athleteId,
  ]);
  const version = current.rows[0]?.version;
  if (version === undefined)
    throw new WattstreamError(KernelErrorCode.HttpNotFound, 'profile not found', { statusCode: 404 });
  if (version !== expected) {
    throw new WattstreamError(
      KernelErrorCode.HttpPreconditionFailed,
      `the profile changed since you read it (now ${etagOf(version)}, you sent ${etagOf(expected)}): read it again and reapply your change`,
      { statusCode: 412 },
    );
  }
  const { rows } = await tx.query<ProfileRow>(
    `UPDATE profiles SET ftp = $2, cp = $3, w_prime = $4, max_hr = $5, lthr = $6, weight_kg = $7,
       power_zone_bounds = $8, hr_zone_bounds = $9, units = $10, version = version + 1,
       updated_at = greatest(date_trunc('milliseconds', clock_timestamp()), updated_at + interval '1 millisecond')
     WHERE athlete_id = $1 RETURNING ${COLUMNS}`,
    [athleteId, u.ftp, u.cp, u.wPrime, u.maxHr, u.lthr, u.weightKg, u.powerZoneBounds, u.hrZoneBounds, u.units],
  );
  return profileOf(rows[0]!);
}
