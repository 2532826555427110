import type { ProfileUpdated } from '@wattstream/contracts';

/** What the metrics need from an athlete's training profile. */
export interface Profile {
  /** threshold power, W: intensity, load and power zones */
  ftp: number;
  /** critical power, W, and W′, J: W′ balance */
  cp: number;
  wPrime: number;
  maxHr: number;
  /** lactate threshold heart rate, bpm: heart-rate zones */
  lthr: number;
  weightKg: number;
  /** upper bounds of power zones 1–6 as fractions of FTP; default POWER_ZONE_BOUNDS */
  powerZoneBounds?: readonly number[];
  /** upper bounds of heart-rate zones 1–4 as fractions of LTHR; default HR_ZONE_BOUNDS */
  hrZoneBounds?: readonly number[];
}

/**
 * Applied until an athlete has a `user.profile.updated` record; stats then say
 * `profileSource: 'default'`. Values of an untrained adult: documented in the README.
 */
export const DEFAULT_PROFILE: Readonly<Profile> = Object.freeze({
  ftp: 200,
  cp: 210,
  wPrime: 20_000,
  maxHr: 190,
  lthr: 170,
  weightKg: 75,
});

export type ProfileSource = 'profile' | 'default';

export function profileFromEvent(e: ProfileUpdated): Profile {
  return { ftp: e.ftp, cp: e.cp, wPrime: e.wPrime, maxHr: e.maxHr, lthr: e.lthr, weightKg: e.weightKg };
}

/** Upper bounds (exclusive) of power zones 1–6 as fractions of FTP; zone 7 above 150 %. */
export const POWER_ZONE_BOUNDS = [0.55, 0.75, 0.9, 1.05, 1.2, 1.5] as const;

/** Power zone 1–7 for `watts`: boundaries at 55/75/90/105/120/150 % of FTP. */
export function powerZone(watts: number, ftp: number, bounds: readonly number[] = POWER_ZONE_BOUNDS): number {
  const f = watts / ftp;
  for (let i = 0; i < bounds.length; i++) if (f < (bounds[i] as number)) return i + 1;
  return bounds.length + 1;
}

/**
 * Heart-rate zone 1–5 from LTHR (Friel's cycling zones, collapsed to five): below 81 %, 81–89 %,
 * 90–93 %, 94–99 %, 100 % and above.
 */
export const HR_ZONE_BOUNDS = [0.81, 0.9, 0.94, 1.0] as const;
export function hrZone(bpm: number, lthr: number, bounds: readonly number[] = HR_ZONE_BOUNDS): number {
  const f = bpm / lthr;
  for (let i = 0; i < bounds.length; i++) if (f < (bounds[i] as number)) return i + 1;
  return bounds.length + 1;
}
