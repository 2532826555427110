import { type Static, Type } from '@sinclair/typebox';
import { Id } from '../ids.js';

/**
 * REST shapes of the legacy monolith (`legacy/`), the system the strangler migration moves away
 * from. It serves the public paths itself (`/training/v1/...`); the training service takes the same
 * paths over (`GET /training/v1/sessions`: the caller's sessions, newest first, each with `id` and
 * its summary), so the gateway can shadow one with the other and compare.
 */

const Timestamp = Type.String({ format: 'date-time' });
const Nullable = (description: string) => Type.Union([Type.Number(), Type.Null()], { description });

export const LegacySessionSummary = Type.Object(
  {
    durationS: Type.Number({ minimum: 0, maximum: 1e6 }),
    movingS: Type.Number({ minimum: 0, maximum: 1e6 }),
    distanceM: Type.Number({ minimum: 0, maximum: 1e7 }),
    kj: Type.Number({ minimum: 0, maximum: 1e5 }),
    avgPower: Nullable('W'),
    normalizedPower: Nullable('W'),
    intensity: Nullable('NP / FTP'),
    load: Nullable('TSS'),
    avgHr: Nullable('bpm'),
    maxHr: Nullable('bpm'),
  },
  { $id: 'wattstream/legacy/SessionSummary', additionalProperties: false },
);
export type LegacySessionSummary = Static<typeof LegacySessionSummary>;

export const LegacySession = Type.Object(
  {
    id: Type.String({ pattern: '^[A-Za-z0-9_:-]{1,96}$' }),
    athleteId: Id('athlete'),
    startedAt: Timestamp,
    endedAt: Timestamp,
    summary: LegacySessionSummary,
  },
  { $id: 'wattstream/legacy/Session', additionalProperties: false },
);
export type LegacySession = Static<typeof LegacySession>;

export const LegacySessionRequest = Type.Object(
  { startedAt: Timestamp, endedAt: Timestamp, summary: LegacySessionSummary },
  { $id: 'wattstream/legacy/SessionRequest', additionalProperties: false },
);
export type LegacySessionRequest = Static<typeof LegacySessionRequest>;

export const LegacySessionPage = Type.Object(
  {
    items: Type.Array(LegacySession),
    nextCursor: Type.Union([Type.String({ maxLength: 200 }), Type.Null()]),
  },
  { $id: 'wattstream/legacy/SessionPage', additionalProperties: false },
);
export type LegacySessionPage = Static<typeof LegacySessionPage>;

export const LegacyWorkoutStep = Type.Object(
  {
    kind: Type.Union(['warmup', 'steady', 'interval', 'cooldown'].map((k) => Type.Literal(k))),
    durationS: Type.Integer({ minimum: 1, maximum: 86_400 }),
    targetPctFtp: Type.Number({ minimum: 0, maximum: 300 }),
  },
  { additionalProperties: false },
);

export const LegacyWorkoutRequest = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 120 }),
    description: Type.String({ maxLength: 2000 }),
    steps: Type.Array(LegacyWorkoutStep, { minItems: 1, maxItems: 200 }),
  },
  { $id: 'wattstream/legacy/WorkoutRequest', additionalProperties: false },
);
export type LegacyWorkoutRequest = Static<typeof LegacyWorkoutRequest>;

export const LegacyWorkout = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    athleteId: Id('athlete'),
    name: LegacyWorkoutRequest.properties.name,
    description: LegacyWorkoutRequest.properties.description,
    steps: LegacyWorkoutRequest.properties.steps,
    createdAt: Timestamp,
  },
  { $id: 'wattstream/legacy/Workout', additionalProperties: false },
);
export type LegacyWorkout = Static<typeof LegacyWorkout>;

export const LegacyAthlete = Type.Object(
  {
    id: Id('athlete'),
    displayName: Type.String({ minLength: 1, maxLength: 80 }),
    ftp: Type.Union([Type.Integer({ minimum: 50, maximum: 600 }), Type.Null()]),
    createdAt: Timestamp,
  },
  { $id: 'wattstream/legacy/Athlete', additionalProperties: false },
);
export type LegacyAthlete = Static<typeof LegacyAthlete>;

export const LegacyAthleteUpdate = Type.Object(
  { displayName: LegacyAthlete.properties.displayName, ftp: LegacyAthlete.properties.ftp },
  { $id: 'wattstream/legacy/AthleteUpdate', additionalProperties: false },
);
export type LegacyAthleteUpdate = Static<typeof LegacyAthleteUpdate>;
