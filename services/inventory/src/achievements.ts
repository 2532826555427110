/**
 * The achievement rules, as pure functions over what a session or a profile change brings. Codes
 * are the idempotency keys: an achievement unlocks once per code, whatever is replayed.
 */
export interface Unlock {
  code: string;
  title: string;
}

export const HUNDRED_KM_M = 100_000;
export const MONTH_HOURS_S = 10 * 3600;

/** `2026-11` of an epoch-ms time, in UTC. */
export const monthOf = (ms: number): string => new Date(ms).toISOString().slice(0, 7);

/**
 * After a session: a first ride of 100 km or more, and 10 h of training in the session's calendar
 * month (UTC), counting every session of that month including this one.
 */
export function sessionUnlocks(s: { distanceM: number; startedAt: number }, monthTotalS: number): Unlock[] {
  const out: Unlock[] = [];
  if (s.distanceM >= HUNDRED_KM_M) out.push({ code: 'first-100km', title: 'First 100 km ride' });
  if (monthTotalS >= MONTH_HOURS_S) {
    const month = monthOf(s.startedAt);
    out.push({ code: `10h-month:${month}`, title: `10 hours of training in ${month}` });
  }
  return out;
}

/** A new best FTP: higher than every FTP the athlete had before (the first one sets the baseline). */
export function ftpUnlock(previousBest: number | undefined, ftp: number): Unlock | undefined {
  if (previousBest === undefined || ftp <= previousBest) return undefined;
  return { code: `ftp:${ftp}`, title: `New FTP: ${ftp} W` };
}
