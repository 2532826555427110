import {
  kafkaTopics,
  type Session,
  type SessionSource,
  type SessionSummary,
  type Sport,
  type TrainingStarted,
} from '@wattstream/contracts';
import { decodeCursor, keysetPage, type OutboxEvent, type Queryable } from '@wattstream/kernel';
import { WattstreamError } from '@wattstream/platform';
import { TrainingErrorCode } from '../errors.js';

interface SessionRow {
  id: string;
  athlete_id: string;
  source: SessionSource;
  sport: Sport;
  state: 'live' | 'completed';
  started_at: string;
  ended_at: string | null;
  summary: SessionSummary | null;
  gear_id: string | null;
  workout_id: string | null;
  compliance: Session['compliance'];
  revision: number;
}

const iso = (ms: string | number) => new Date(Number(ms)).toISOString();

export function sessionOf(r: SessionRow): Session {
  return {
    id: r.id,
    athleteId: r.athlete_id,
    source: r.source,
    sport: r.sport,
    state: r.state,
    startedAt: iso(r.started_at),
    endedAt: r.ended_at === null ? null : iso(r.ended_at),
    summary: r.summary,
    gearId: r.gear_id,
    workoutId: r.workout_id,
    compliance: r.compliance,
    revision: r.revision,
  };
}

/** `training.session.summarized` for a completed session, ce_id `{sessionId}:{revision}`. */
export function summarizedEvent(s: Session): OutboxEvent<typeof kafkaTopics.sessionSummarized> {
  const sum = s.summary;
  if (!sum || s.endedAt === null) throw new Error(`session ${s.id} has no summary yet`);
  return {
    topic: kafkaTopics.sessionSummarized,
    key: s.athleteId,
    id: `${s.id}:${s.revision}`,
    value: {
      sessionId: s.id,
      athleteId: s.athleteId,
      revision: s.revision,
      source: s.source,
      sport: s.sport,
      startedAt: Date.parse(s.startedAt),
      endedAt: Date.parse(s.endedAt),
      ...sum,
      gearId: s.gearId,
      workoutId: s.workoutId,
      summarizedAt: Date.now(),
    },
  };
}

/** A live session began (from the stream); a redelivery or a late start after completion changes nothing. */
export async function insertLiveSession(db: Queryable, e: TrainingStarted): Promise<boolean> {
  const r = await db.query(
    `INSERT INTO sessions (id, athlete_id, source, sport, state, started_at)
     VALUES ($1, $2, 'live', 'cycling', 'live', $3) ON CONFLICT (id) DO NOTHING`,
    [e.sessionId, e.athleteId, e.startedAt],
  );
  return (r.rowCount ?? 0) > 0;
}

export async function lockSession(db: Queryable, id: string): Promise<SessionRow | undefined> {
  const { rows } = await db.query<SessionRow>('SELECT * FROM sessions WHERE id = $1 FOR UPDATE', [id]);
  return rows[0];
}

export interface CompletedInput {
  id: string;
  athleteId: string;
  source: SessionSource;
  sport: Sport;
  startedAt: number;
  endedAt: number;
  summary: SessionSummary;
  plan: { assignmentId: string; workoutId: string } | null;
  compliance: Session['compliance'];
  fileSha256?: string;
}

/** Stores a completed session (a new revision); the caller holds the row lock or inserts it new. */
export async function saveCompleted(db: Queryable, c: CompletedInput): Promise<Session> {
  const { rows } = await db.query<SessionRow>(
    `INSERT INTO sessions (id, athlete_id, source, sport, state, started_at, ended_at, summary, assignment_id,
       workout_id, compliance, revision, file_sha256)
     VALUES ($1, $2, $3, $4, 'completed', $5, $6, $7, $8, $9, $10, 1, $11)
     ON CONFLICT (id) DO UPDATE SET state = 'completed', ended_at = $6, summary = $7,
       assignment_id = COALESCE(sessions.assignment_id, $8), workout_id = COALESCE(sessions.workout_id, $9),
       compliance = COALESCE($10, sessions.compliance), revision = sessions.revision + 1, updated_at = now()
     RETURNING *`,
    [
      c.id,
      c.athleteId,
      c.source,
      c.sport,
      c.startedAt,
      c.endedAt,
      JSON.stringify(c.summary),
      c.plan?.assignmentId ?? null,
      c.plan?.workoutId ?? null,
      c.compliance === null ? null : JSON.stringify(c.compliance),
      c.fileSha256 ?? null,
    ],
  );
  if (c.plan) {
    await db.query('UPDATE assignments SET session_id = $2 WHERE id = $1 AND session_id IS NULL', [
      c.plan.assignmentId,
      c.id,
    ]);
  }
  return sessionOf(rows[0]!);
}

/** An upload of an activity already stored (same athlete, same start): 409, nothing stored. */
export async function refuseExisting(db: Queryable, id: string): Promise<void> {
  const r = await db.query('SELECT 1 FROM sessions WHERE id = $1', [id]);
  if ((r.rowCount ?? 0) > 0) {
    throw new WattstreamError(TrainingErrorCode.SessionExists, `this activity is already stored as session ${id}`, {
      statusCode: 409,
      details: { sessionId: id },
    });
  }
}

export async function sessionById(db: Queryable, id: string): Promise<Session | undefined> {
  const { rows } = await db.query<SessionRow>('SELECT * FROM sessions WHERE id = $1', [id]);
  return rows[0] ? sessionOf(rows[0]) : undefined;
}

/** An athlete's sessions, newest first, by keyset pages. */
export async function listSessions(
  db: Queryable,
  athleteId: string,
  limit: number,
  cursor: string | undefined,
): Promise<{ items: Session[]; nextCursor: string | null }> {
  const after = cursor ? decodeCursor(cursor) : undefined;
  const { rows } = await db.query<SessionRow>(
    after
      ? `SELECT * FROM sessions WHERE athlete_id = $1 AND (started_at, id) < ($3::bigint, $4)
         ORDER BY started_at DESC, id DESC LIMIT $2`
      : 'SELECT * FROM sessions WHERE athlete_id = $1 ORDER BY started_at DESC, id DESC LIMIT $2',
    after ? [athleteId, limit + 1, after.at, after.id] : [athleteId, limit + 1],
  );
  return keysetPage(rows, limit, (r) => ({ at: r.started_at, id: r.id }), sessionOf);
}
