/**
 * Local clock arithmetic in a user's IANA time zone with `Intl` only. The next local HH:MM is
 * found from the current local minute of the day; on the day a DST change falls inside the wait,
 * the result can be an hour off, which quiet hours and digests tolerate.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Seconds since local midnight at `at` in `timeZone` (UTC when the zone is unknown). */
export function localSecondOfDay(at: number, timeZone: string): number {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = formatter(timeZone).formatToParts(at);
  } catch {
    parts = formatter('UTC').formatToParts(at);
  }
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return n('hour') * 3600 + n('minute') * 60 + n('second');
}

/** The next instant after `at` (or `at` itself when it is that minute's start) whose local time is `minuteOfDay`. */
export function nextLocalMinute(at: number, timeZone: string, minuteOfDay: number): number {
  const now = localSecondOfDay(at, timeZone);
  const target = minuteOfDay * 60;
  const wait = (target - now + 86_400) % 86_400;
  return at - (at % 1000) + wait * 1000;
}

/** Minutes of `HH:MM`. */
export const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
export const hhmmOf = (minutes: number): string =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/** Quiet from `start` (inclusive) to `end` (exclusive), minutes of the day; the span may cross midnight. */
export function inQuietHours(at: number, timeZone: string, start: number, end: number): boolean {
  const m = Math.floor(localSecondOfDay(at, timeZone) / 60);
  return start < end ? m >= start && m < end : m >= start || m < end;
}

/** When a delivery held at `at` may go: `at`, or the end of the user's quiet hours. */
export function releaseAfterQuiet(at: number, timeZone: string, quiet: { start: number; end: number } | null): number {
  if (!quiet || quiet.start === quiet.end || !inQuietHours(at, timeZone, quiet.start, quiet.end)) return at;
  return nextLocalMinute(at, timeZone, quiet.end);
}

/** End of the digest period that contains `at`: the next full local hour, or the next local `digestHour`:00. */
export function digestDue(at: number, timeZone: string, period: 'hourly' | 'daily', digestHour: number): number {
  if (period === 'hourly') {
    const s = localSecondOfDay(at, timeZone);
    return at - (at % 1000) + (3600 - (s % 3600)) * 1000;
  }
  return nextLocalMinute(at, timeZone, digestHour * 60);
}
