import type { Sport } from '@wattstream/contracts';
import type { Queryable } from '@wattstream/kernel';

export interface SessionRange {
  id: string;
  athleteId: string;
  startedAt: number;
  /** null while the session is live */
  endedAt: number | null;
  sport: Sport;
}

/** A session began; a later start of the same id changes nothing. */
export async function sessionStarted(db: Queryable, id: string, athleteId: string, startedAt: number): Promise<void> {
  await db.query('INSERT INTO sessions (id, athlete_id, started_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING', [
    id,
    athleteId,
    startedAt,
  ]);
}

/** A session's full range is known (completed, or an upload's summary). */
export async function sessionEnded(
  db: Queryable,
  id: string,
  athleteId: string,
  startedAt: number,
  endedAt: number,
  sport?: Sport,
): Promise<void> {
  await db.query(
    `INSERT INTO sessions (id, athlete_id, started_at, ended_at, sport) VALUES ($1, $2, $3, $4, COALESCE($5, 'cycling'))
     ON CONFLICT (id) DO UPDATE SET ended_at = $4, sport = COALESCE($5, sessions.sport)`,
    [id, athleteId, startedAt, endedAt, sport ?? null],
  );
}

export async function sessionRange(db: Queryable, id: string): Promise<SessionRange | undefined> {
  const { rows } = await db.query<{
    id: string;
    athlete_id: string;
    started_at: string;
    ended_at: string | null;
    sport: Sport;
  }>('SELECT * FROM sessions WHERE id = $1', [id]);
  const r = rows[0];
  return r
    ? {
        id: r.id,
        athleteId: r.athlete_id,
        startedAt: Number(r.started_at),
        endedAt: r.ended_at === null ? null : Number(r.ended_at),
        sport: r.sport,
      }
    : undefined;
}

export async function eraseSessions(db: Queryable, athleteId: string): Promise<void> {
  await db.query('DELETE FROM sessions WHERE athlete_id = $1', [athleteId]);
}
