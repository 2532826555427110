import { randomUUID } from 'node:crypto';
import {
  type Assignment,
  kafkaTopics,
  type Sport,
  type Workout,
  type WorkoutAssigned,
  type WorkoutStep,
} from '@wattstream/contracts';
import type { OutboxEvent, Queryable } from '@wattstream/kernel';
import { type Segment, segmentsOf, workoutDuration } from '../workouts.js';

interface WorkoutRow {
  id: string;
  athlete_id: string;
  created_by: string;
  name: string;
  description: string;
  sport: Sport;
  steps: WorkoutStep[];
  duration_s: number;
  created_at: Date;
}

const workoutOf = (r: WorkoutRow): Workout => ({
  id: r.id,
  athleteId: r.athlete_id,
  createdBy: r.created_by,
  name: r.name,
  description: r.description,
  sport: r.sport,
  steps: r.steps,
  durationS: r.duration_s,
  createdAt: r.created_at.toISOString(),
});

export async function insertWorkout(
  db: Queryable,
  w: { athleteId: string; createdBy: string; name: string; description: string; sport: Sport; steps: WorkoutStep[] },
): Promise<Workout> {
  const { rows } = await db.query<WorkoutRow>(
    `INSERT INTO workouts (id, athlete_id, created_by, name, description, sport, steps, duration_s)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
    [
      randomUUID(),
      w.athleteId,
      w.createdBy,
      w.name,
      w.description,
      w.sport,
      JSON.stringify(w.steps),
      workoutDuration(w.steps),
    ],
  );
  return workoutOf(rows[0]!);
}

export async function workoutById(db: Queryable, id: string): Promise<Workout | undefined> {
  const { rows } = await db.query<WorkoutRow>('SELECT * FROM workouts WHERE id = $1', [id]);
  return rows[0] ? workoutOf(rows[0]) : undefined;
}

export async function workoutsOf(db: Queryable, athleteId: string): Promise<Workout[]> {
  const { rows } = await db.query<WorkoutRow>(
    'SELECT * FROM workouts WHERE athlete_id = $1 ORDER BY created_at DESC LIMIT 500',
    [athleteId],
  );
  return rows.map(workoutOf);
}

export async function deleteWorkout(db: Queryable, id: string): Promise<void> {
  await db.query('DELETE FROM workouts WHERE id = $1', [id]);
}

interface AssignmentRow extends WorkoutRow {
  a_id: string;
  a_athlete_id: string;
  assigned_by: string;
  day: string;
  session_id: string | null;
  a_created_at: Date;
}

const ASSIGNMENT_SELECT = `SELECT w.*, a.id AS a_id, a.athlete_id AS a_athlete_id, a.assigned_by,
  to_char(a.day, 'YYYY-MM-DD') AS day, a.session_id, a.created_at AS a_created_at
  FROM assignments a JOIN workouts w ON w.id = a.workout_id`;

const assignmentOf = (r: AssignmentRow): Assignment => ({
  id: r.a_id,
  athleteId: r.a_athlete_id,
  assignedBy: r.assigned_by,
  date: r.day,
  workout: workoutOf(r),
  sessionId: r.session_id,
  createdAt: r.a_created_at.toISOString(),
});

export async function insertAssignment(
  db: Queryable,
  a: { athleteId: string; assignedBy: string; workoutId: string; date: string },
): Promise<Assignment> {
  const id = randomUUID();
  await db.query('INSERT INTO assignments (id, athlete_id, assigned_by, workout_id, day) VALUES ($1, $2, $3, $4, $5)', [
    id,
    a.athleteId,
    a.assignedBy,
    a.workoutId,
    a.date,
  ]);
  return (await assignmentById(db, id))!;
}

export async function assignmentById(db: Queryable, id: string): Promise<Assignment | undefined> {
  const { rows } = await db.query<AssignmentRow>(`${ASSIGNMENT_SELECT} WHERE a.id = $1`, [id]);
  return rows[0] ? assignmentOf(rows[0]) : undefined;
}

export async function deleteAssignment(db: Queryable, id: string): Promise<void> {
  await db.query('DELETE FROM assignments WHERE id = $1', [id]);
}

export async function calendarOf(db: Queryable, athleteId: string, from: string, to: string): Promise<Assignment[]> {
  const { rows } = await db.query<AssignmentRow>(
    `${ASSIGNMENT_SELECT} WHERE a.athlete_id = $1 AND a.day BETWEEN $2 AND $3 ORDER BY a.day, a.created_at LIMIT 1000`,
    [athleteId, from, to],
  );
  return rows.map(assignmentOf);
}

/** The first workout planned on that day that no session ran yet: the one a session of that day runs. */
export async function plannedFor(
  db: Queryable,
  athleteId: string,
  day: string,
): Promise<{ assignmentId: string; workoutId: string; segments: Segment[] } | null> {
  const { rows } = await db.query<{ id: string; workout_id: string; steps: WorkoutStep[] }>(
    `SELECT a.id, a.workout_id, w.steps FROM assignments a JOIN workouts w ON w.id = a.workout_id
     WHERE a.athlete_id = $1 AND a.day = $2 AND a.session_id IS NULL ORDER BY a.created_at LIMIT 1 FOR UPDATE OF a`,
    [athleteId, day],
  );
  const r = rows[0];
  return r ? { assignmentId: r.id, workoutId: r.workout_id, segments: segmentsOf(r.steps) } : null;
}

export function assignedEvent(
  a: Assignment,
  action: WorkoutAssigned['action'],
): OutboxEvent<typeof kafkaTopics.workoutAssigned> {
  // an assignment's event carries its creation time, so its ce_id is known from the API's answer
  const updatedAt = action === 'assigned' ? Date.parse(a.createdAt) : Date.now();
  return {
    topic: kafkaTopics.workoutAssigned,
    key: a.athleteId,
    id: `${a.id}:${updatedAt}`,
    value: {
      assignmentId: a.id,
      athleteId: a.athleteId,
      assignedBy: a.assignedBy,
      workoutId: a.workout.id,
      workoutName: a.workout.name,
      date: a.date,
      plannedDurationS: a.workout.durationS,
      action,
      updatedAt,
    },
  };
}

/** UTC day of an epoch-ms time: plans are kept by UTC day. */
export const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
