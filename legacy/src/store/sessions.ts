import type { LegacySession, LegacySessionRequest } from '@wattstream/contracts';
import type { Queryable } from '@wattstream/kernel';
import { athleteOf } from './athletes.js';

const iso = (col: string) => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const COLUMNS = `id, athlete_id AS "athleteId", ${iso('started_at')} AS "startedAt", ${iso('ended_at')} AS "endedAt", summary`;

/** Session ids are `{athleteId}:{startEpochMs}`, as the stream names them. */
export async function insertSession(db: Queryable, athleteId: string, s: LegacySessionRequest): Promise<LegacySession> {
  await athleteOf(db, athleteId);
  const id = `${athleteId}:${Date.parse(s.startedAt)}`;
  const { rows } = await db.query<LegacySession>(
    `INSERT INTO sessions (id, athlete_id, started_at, ended_at, summary) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (id) DO UPDATE SET ended_at = EXCLUDED.ended_at, summary = EXCLUDED.summary
     RETURNING ${COLUMNS}`,
    [id, athleteId, s.startedAt, s.endedAt, s.summary],
  );
  return rows[0]!;
}

/** Newest first; the cursor is the last item's `startedAt|id`. */
export async function sessionsOf(
  db: Queryable,
  athleteId: string,
  limit: number,
  cursor: { startedAt: string; id: string } | undefined,
): Promise<{ items: LegacySession[]; nextCursor: string | null }> {
  const { rows } = await db.query<LegacySession>(
    `SELECT ${COLUMNS} FROM sessions WHERE athlete_id = $1
       AND ($2::timestamptz IS NULL OR (started_at, id) < ($2::timestamptz, $3::text))
     ORDER BY started_at DESC, id DESC LIMIT $4`,
    [athleteId, cursor?.startedAt ?? null, cursor?.id ?? '', limit + 1],
  );
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  const nextCursor =
    rows.length > limit && last ? Buffer.from(`${last.startedAt}|${last.id}`).toString('base64url') : null;
  return { items, nextCursor };
}

/** The athlete's own session, or undefined (another athlete's is as unknown as a missing one). */
export async function sessionOf(db: Queryable, athleteId: string, id: string): Promise<LegacySession | undefined> {
  const { rows } = await db.query<LegacySession>(`SELECT ${COLUMNS} FROM sessions WHERE id = $1 AND athlete_id = $2`, [
    id,
    athleteId,
  ]);
  return rows[0];
}
