import type { LegacyWorkout, LegacyWorkoutRequest } from '@wattstream/contracts';
import type { Queryable } from '@wattstream/kernel';
import { athleteOf } from './athletes.js';

const COLUMNS = `id, athlete_id AS "athleteId", name, description, steps,
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt"`;

export async function insertWorkout(db: Queryable, athleteId: string, w: LegacyWorkoutRequest): Promise<LegacyWorkout> {
  await athleteOf(db, athleteId);
  const { rows } = await db.query<LegacyWorkout>(
    `INSERT INTO workouts (athlete_id, name, description, steps) VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`,
    [athleteId, w.name, w.description, JSON.stringify(w.steps)],
  );
  return rows[0]!;
}

export async function workoutsOf(db: Queryable, athleteId: string): Promise<LegacyWorkout[]> {
  const { rows } = await db.query<LegacyWorkout>(
    `SELECT ${COLUMNS} FROM workouts WHERE athlete_id = $1 ORDER BY created_at DESC, id LIMIT 500`,
    [athleteId],
  );
  return rows;
}

export async function workoutOf(db: Queryable, athleteId: string, id: string): Promise<LegacyWorkout | undefined> {
  const { rows } = await db.query<LegacyWorkout>(`SELECT ${COLUMNS} FROM workouts WHERE id = $1 AND athlete_id = $2`, [
    id,
    athleteId,
  ]);
  return rows[0];
}

export async function deleteWorkout(db: Queryable, athleteId: string, id: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM workouts WHERE id = $1 AND athlete_id = $2', [id, athleteId]);
  return (rowCount ?? 0) > 0;
}
