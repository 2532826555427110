import { Type } from '@sinclair/typebox';

/** Athlete, device, edge, user and group ids: 1–64 chars of `[A-Za-z0-9_-]` (contract v1). */
export const ID_PATTERN_SOURCE = '^[A-Za-z0-9_-]{1,64}$';
export const ID_PATTERN = new RegExp(ID_PATTERN_SOURCE);

export function isValidId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}

export const Id = (description: string) =>
  Type.String({ pattern: ID_PATTERN_SOURCE, minLength: 1, maxLength: 64, description });

/** Epoch milliseconds, integer. Bounded to 2000-01-01 … 2100-01-01 so that a timestamp sent in
 * seconds or microseconds is rejected instead of being stored in the wrong century. */
export const EPOCH_MS_MIN = 946_684_800_000;
export const EPOCH_MS_MAX = 4_102_444_800_000;
export const EpochMs = (description: string) =>
  Type.Integer({ minimum: EPOCH_MS_MIN, maximum: EPOCH_MS_MAX, description });

/** RFC 3339 timestamp with a time zone, as used by CloudEvents `time`. */
export const RFC3339_PATTERN_SOURCE = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:\\d{2})$';
export const Rfc3339 = (description: string) => Type.String({ pattern: RFC3339_PATTERN_SOURCE, description });

/**
 * The athlete ids of a simulated fleet of `count` athletes: `<prefix>-0001`, … The edge simulator
 * publishes for them; the launcher mints their tokens, users and group from the same list.
 */
export function simAthleteIds(count: number, prefix = 'sim'): string[] {
  const width = Math.max(4, String(count).length);
  return Array.from({ length: count }, (_, i) => `${prefix}-${String(i + 1).padStart(width, '0')}`);
}

/** A UUID (any version), lower or upper case. A pattern rather than `format`, which the contract validator does not load. */
export const UUID_PATTERN_SOURCE = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
export const Uuid = (description: string) => Type.String({ pattern: UUID_PATTERN_SOURCE, description });

/** A calendar day, `YYYY-MM-DD`. */
export const DAY_PATTERN_SOURCE = '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])$';
export const Day = (description: string) => Type.String({ pattern: DAY_PATTERN_SOURCE, description });
