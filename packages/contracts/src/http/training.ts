import { type Static, Type } from '@sinclair/typebox';
import { SessionId, SessionSource, Sport, TimeInHrZones, TimeInPowerZones } from '../events/training.js';
import { Day, Id, Uuid } from '../ids.js';

/** REST shapes of the training service (`/v1/...`, exposed by the gateway under `/training`). */

const Nullable = <T extends ReturnType<typeof Type.Number>>(t: T, description: string) =>
  Type.Union([t, Type.Null()], { description });
const Timestamp = Type.String({ format: 'date-time' });

export const SessionSummary = Type.Object(
  {
    durationS: Type.Number({ minimum: 0 }),
    movingS: Type.Number({ minimum: 0 }),
    distanceM: Type.Number({ minimum: 0 }),
    kj: Type.Number({ minimum: 0 }),
    avgPower: Nullable(Type.Number(), 'W'),
    maxPower: Nullable(Type.Number(), 'W'),
    normalizedPower: Nullable(Type.Number(), 'W'),
    intensity: Nullable(Type.Number(), 'IF'),
    load: Nullable(Type.Number(), 'TSS'),
    avgHr: Nullable(Type.Number(), 'bpm'),
    maxHr: Nullable(Type.Number(), 'bpm'),
    timeInPowerZones: Type.Union([TimeInPowerZones, Type.Null()]),
    timeInHrZones: Type.Union([TimeInHrZones, Type.Null()]),
    ftp: Type.Integer({ minimum: 1, description: 'FTP used for intensity, load and zones, W' }),
  },
  { $id: 'wattstream/training/SessionSummary', additionalProperties: false },
);
export type SessionSummary = Static<typeof SessionSummary>;

export const IntervalCompliance = Type.Object(
  {
    index: Type.Integer({ minimum: 0 }),
    kind: Type.String(),
    startS: Type.Number({ minimum: 0, description: 'offset from the session start, s' }),
    durationS: Type.Number({ minimum: 0 }),
    targetWatts: Nullable(Type.Number(), 'mean target power over the interval, W (null for HR or cadence targets)'),
    actualWatts: Nullable(Type.Number(), 'mean power over the interval, W'),
    ratio: Nullable(Type.Number(), 'actual / target'),
  },
  { additionalProperties: false },
);

export const Session = Type.Object(
  {
    id: SessionId,
    athleteId: Id('athlete'),
    source: SessionSource,
    sport: Sport,
    state: Type.Union([Type.Literal('live'), Type.Literal('completed')], {
      description: 'live: started, not yet ended; completed: summarised',
    }),
    startedAt: Timestamp,
    endedAt: Type.Union([Timestamp, Type.Null()]),
    summary: Type.Union([SessionSummary, Type.Null()], { description: 'null while the session is live' }),
    gearId: Type.Union([Id('gear'), Type.Null()]),
    workoutId: Type.Union([Uuid('id'), Type.Null()], { description: 'the planned workout this session ran' }),
    compliance: Type.Union([Type.Array(IntervalCompliance), Type.Null()], {
      description: 'per interval of the planned workout: target vs actual',
    }),
    revision: Type.Integer({ minimum: 0 }),
  },
  { $id: 'wattstream/training/Session', additionalProperties: false },
);
export type Session = Static<typeof Session>;

export const SessionPage = Type.Object(
  {
    items: Type.Array(Session),
    nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'pass as `cursor` for the next page' }),
  },
  { $id: 'wattstream/training/SessionPage', additionalProperties: false },
);
export type SessionPage = Static<typeof SessionPage>;

// ---- workouts ----

export const TARGET_UNITS = ['ftp', 'watts', 'hrZone', 'cadence'] as const;
export const Target = Type.Object(
  {
    unit: Type.Union(
      TARGET_UNITS.map((u) => Type.Literal(u)),
      { description: 'ftp: % of FTP; watts; hrZone: heart-rate zone 1–5; cadence: rpm' },
    ),
    value: Type.Number({ minimum: 0, maximum: 3000 }),
  },
  { additionalProperties: false },
);
export type Target = Static<typeof Target>;

const Duration = Type.Integer({ minimum: 1, maximum: 86_400, description: 'seconds' });
const Cadence = Type.Optional(Type.Integer({ minimum: 20, maximum: 200, description: 'cadence target, rpm' }));

export const WorkoutStep = Type.Union(
  [
    Type.Object(
      {
        kind: Type.Union([Type.Literal('warmup'), Type.Literal('cooldown'), Type.Literal('ramp')]),
        durationS: Duration,
        from: Target,
        to: Target,
        cadence: Cadence,
      },
      { additionalProperties: false, description: 'a linear change from `from` to `to`' },
    ),
    Type.Object(
      { kind: Type.Literal('steady'), durationS: Duration, target: Target, cadence: Cadence },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        kind: Type.Literal('intervals'),
        repeat: Type.Integer({ minimum: 1, maximum: 100 }),
        onDurationS: Duration,
        onTarget: Target,
        offDurationS: Duration,
        offTarget: Target,
        cadence: Cadence,
        cadenceResting: Cadence,
      },
      { additionalProperties: false },
    ),
    Type.Object({ kind: Type.Literal('free'), durationS: Duration }, { additionalProperties: false }),
  ],
  { description: 'one step: ramp (warmup, cooldown, ramp), steady, intervals or free ride' },
);
export type WorkoutStep = Static<typeof WorkoutStep>;

export const WorkoutInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 120 }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    sport: Type.Optional(Sport),
    athleteId: Type.Optional(Id('athlete the workout is for (a coach naming one of their athletes); default: you')),
    steps: Type.Array(WorkoutStep, { minItems: 1, maxItems: 200 }),
  },
  { $id: 'wattstream/training/WorkoutInput', additionalProperties: false },
);
export type WorkoutInput = Static<typeof WorkoutInput>;

export const Workout = Type.Object(
  {
    id: Uuid('id'),
    athleteId: Id('athlete whose library holds it'),
    createdBy: Id('athlete or coach'),
    name: Type.String(),
    description: Type.String(),
    sport: Sport,
    steps: Type.Array(WorkoutStep),
    durationS: Type.Integer({ minimum: 0, description: 'total, intervals expanded' }),
    createdAt: Timestamp,
  },
  { $id: 'wattstream/training/Workout', additionalProperties: false },
);
export type Workout = Static<typeof Workout>;

export const WorkoutList = Type.Object(
  { items: Type.Array(Workout) },
  { $id: 'wattstream/training/WorkoutList', additionalProperties: false },
);

// ---- plans ----

export const AssignmentInput = Type.Object(
  { workoutId: Uuid('workout'), date: Day('day in the calendar') },
  { $id: 'wattstream/training/AssignmentInput', additionalProperties: false },
);
export type AssignmentInput = Static<typeof AssignmentInput>;

export const Assignment = Type.Object(
  {
    id: Uuid('id'),
    athleteId: Id('athlete'),
    assignedBy: Id('coach or athlete'),
    date: Day('day in the calendar'),
    workout: Workout,
    sessionId: Type.Union([SessionId, Type.Null()], { description: 'the session that ran it, once one did' }),
    createdAt: Timestamp,
  },
  { $id: 'wattstream/training/Assignment', additionalProperties: false },
);
export type Assignment = Static<typeof Assignment>;

export const Calendar = Type.Object(
  { items: Type.Array(Assignment) },
  { $id: 'wattstream/training/Calendar', additionalProperties: false },
);

export const Today = Type.Object(
  { date: Day('day in the calendar'), items: Type.Array(Assignment, { description: "today's planned workouts" }) },
  { $id: 'wattstream/training/Today', additionalProperties: false },
);
