import type { Preferences, PreferencesUpdate } from '@wattstream/contracts';
import { KernelErrorCode, type Queryable } from '@wattstream/kernel';
import { WattstreamError } from '@wattstream/platform';
import { DEFAULT_PREFERENCES } from '../kinds.js';
import { hhmmOf, minutesOf } from '../time.js';

interface PreferencesRow {
  user_id: string;
  channels: PreferencesUpdate['channels'];
  kinds: PreferencesUpdate['kinds'];
  quiet_start: number | null;
  quiet_end: number | null;
  digest: PreferencesUpdate['digest'];
  version: number;
  updated_at: Date;
}

/** What the dispatcher and the triggers need: the settings with quiet hours in minutes. */
export interface EffectivePreferences extends PreferencesUpdate {
  quiet: { start: number; end: number } | null;
}

export const etagOf = (version: number): string => `"v${version}"`;

function viewOf(userId: string, r: PreferencesRow | undefined): Preferences {
  if (!r) return { userId, ...DEFAULT_PREFERENCES, version: 0, updatedAt: null };
  return {
    userId,
    channels: r.channels,
    kinds: r.kinds,
    quietHours:
      r.quiet_start === null || r.quiet_end === null
        ? null
        : { start: hhmmOf(r.quiet_start), end: hhmmOf(r.quiet_end) },
    digest: r.digest,
    version: r.version,
    updatedAt: r.updated_at.toISOString(),
  };
}

export async function preferencesOf(db: Queryable, userId: string): Promise<Preferences> {
  const { rows } = await db.query<PreferencesRow>('SELECT * FROM preferences WHERE user_id = $1', [userId]);
  return viewOf(userId, rows[0]);
}

/** The settings of many users at once (a friend's ride fans out to all their followers). */
export async function effectivePreferences(
  db: Queryable,
  userIds: string[],
): Promise<Map<string, EffectivePreferences>> {
  const out = new Map<string, EffectivePreferences>();
  if (userIds.length === 0) return out;
  const { rows } = await db.query<PreferencesRow>('SELECT * FROM preferences WHERE user_id = ANY($1::text[])', [
    userIds,
  ]);
  const byId = new Map(rows.map((r) => [r.user_id, r]));
  for (const id of userIds) {
    const r = byId.get(id);
    const v = viewOf(id, r);
    out.set(id, {
      channels: v.channels,
      kinds: v.kinds,
      quietHours: v.quietHours,
      digest: v.digest,
      quiet: r && r.quiet_start !== null && r.quiet_end !== null ? { start: r.quiet_start, end: r.quiet_end } : null,
    });
  }
  return out;
}

/**
 * Replaces the user's settings. With `expected` (from `If-Match`) the write happens only when the
 * stored version is that one: 412 otherwise, so two tabs never overwrite each other unseen.
 */
export async function savePreferences(
  db: Queryable,
  userId: string,
  p: PreferencesUpdate,
  expected: number | undefined,
): Promise<Preferences> {
  const start = p.quietHours ? minutesOf(p.quietHours.start) : null;
  const end = p.quietHours ? minutesOf(p.quietHours.end) : null;
  const { rows } = await db.query<PreferencesRow>(
    `INSERT INTO preferences (user_id, channels, kinds, quiet_start, quiet_end, digest, version, updated_at)
     SELECT $1::text, $2::jsonb, $3::jsonb, $4::smallint, $5::smallint, $6::text, 1, now()
     WHERE $7::int IS NULL OR $7::int = 0
     ON CONFLICT (user_id) DO UPDATE SET channels = $2, kinds = $3, quiet_start = $4, quiet_end = $5, digest = $6,
       version = preferences.version + 1, updated_at = now()
     WHERE $7::int IS NULL OR preferences.version = $7::int
     RETURNING *`,
    [userId, JSON.stringify(p.channels), JSON.stringify(p.kinds), start, end, p.digest, expected ?? null],
  );
  if (!rows[0]) {
    throw new WattstreamError(
      KernelErrorCode.HttpPreconditionFailed,
      'the preferences changed since you read them: GET them again and reapply your change',
      { statusCode: 412 },
    );
  }
  return viewOf(userId, rows[0]);
}
