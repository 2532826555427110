import { type Static, Type } from '@sinclair/typebox';
import { Day, EpochMs, Id, Uuid } from '../ids.js';
import { Sample } from '../samples.js';

export const SessionId = Type.String({
  pattern: '^[A-Za-z0-9_-]{1,64}:[0-9]{1,16}$',
  description: 'deterministic session id `{athleteId}:{startTs}`; also the CloudEvents id',
});
const NullableNumber = (description: string) => Type.Union([Type.Number(), Type.Null()], { description });

/** Value of a `training.started` record (key = athleteId). */
export const TrainingStarted = Type.Object(
  {
    sessionId: SessionId,
    athleteId: Id('athlete'),
    startedAt: EpochMs('event time of the first sample of the session'),
    deviceIds: Type.Array(Id('device'), { description: 'devices seen in the first batch' }),
  },
  {
    $id: 'wattstream/v1/TrainingStarted',
    additionalProperties: false,
    description: "An athlete's samples began after a silence: a training session started.",
  },
);
export type TrainingStarted = Static<typeof TrainingStarted>;

const TimeInPowerZonesRef = () =>
  Type.Array(Type.Number({ minimum: 0 }), { minItems: 7, maxItems: 7, description: 'seconds in power zones 1–7' });
const TimeInHrZonesRef = () =>
  Type.Array(Type.Number({ minimum: 0 }), { minItems: 5, maxItems: 5, description: 'seconds in heart-rate zones 1–5' });

/** Value of a `training.completed` record (key = athleteId): the session summary. */
export const TrainingCompleted = Type.Object(
  {
    sessionId: SessionId,
    athleteId: Id('athlete'),
    startedAt: EpochMs('event time of the first sample'),
    endedAt: EpochMs('event time of the last sample'),
    durationS: Type.Number({ minimum: 0, description: 'endedAt − startedAt, seconds' }),
    movingS: Type.Number({ minimum: 0, description: 'seconds with speed, cadence or power above zero' }),
    distanceM: Type.Number({ minimum: 0, description: 'distance covered, m' }),
    avgPower: NullableNumber('mean power over the session, W; null without a power source'),
    maxPower: NullableNumber('maximum power, W'),
    normalizedPower: NullableNumber('30 s rolling mean, fourth-power average, fourth root; W'),
    intensity: NullableNumber('normalizedPower / FTP'),
    load: NullableNumber('hours × intensity² × 100'),
    kj: Type.Number({ minimum: 0, description: 'mechanical work, kJ' }),
    avgHr: NullableNumber('mean heart rate, bpm'),
    maxHr: NullableNumber('maximum heart rate, bpm'),
    samples: Type.Integer({ minimum: 0, description: 'samples applied to the session' }),
    timeInPowerZones: Type.Optional(TimeInPowerZonesRef()),
    timeInHrZones: Type.Optional(TimeInHrZonesRef()),
    profileSource: Type.Union([Type.Literal('profile'), Type.Literal('default')], {
      description: 'whether FTP and zones came from the athlete profile or documented defaults',
    }),
  },
  {
    $id: 'wattstream/v1/TrainingCompleted',
    additionalProperties: false,
    description: 'A training session ended after a silence; its summary.',
  },
);
export type TrainingCompleted = Static<typeof TrainingCompleted>;

/** Where a session's data came from. */
export const SessionSource = Type.Union([Type.Literal('live'), Type.Literal('upload'), Type.Literal('import')], {
  description:
    'live: recorded by the pipeline (edge → stream); upload: a FIT file the athlete uploaded; import: from an integration',
});
export type SessionSource = Static<typeof SessionSource>;

export const Sport = Type.Union(
  [
    Type.Literal('cycling'),
    Type.Literal('running'),
    Type.Literal('swimming'),
    Type.Literal('walking'),
    Type.Literal('other'),
  ],
  { description: 'the sport of the session (FIT sport; live sessions are cycling)' },
);
export type Sport = Static<typeof Sport>;

/** Seconds in power zones 1–7 (boundaries at 55/75/90/105/120/150 % of FTP unless the profile sets its own). */
export const TimeInPowerZones = TimeInPowerZonesRef();
/** Seconds in heart-rate zones 1–5 (fractions of LTHR). */
export const TimeInHrZones = TimeInHrZonesRef();

/**
 * Value of a `training.session.summarized` record (key = athleteId): the training service's
 * summary of one session, whatever its source. Emitted when a session is first summarized and
 * again (higher `revision`) when its summary or gear changes; the latest revision wins. Social
 * (feed), inventory (gear distance), analytics and integrations (upload) consume it.
 */
export const SessionSummarized = Type.Object(
  {
    sessionId: SessionId,
    athleteId: Id('athlete'),
    revision: Type.Integer({ minimum: 1, description: 'increases each time the summary is re-emitted' }),
    source: SessionSource,
    sport: Sport,
    startedAt: EpochMs('first sample of the session'),
    endedAt: EpochMs('last sample of the session'),
    durationS: Type.Number({ minimum: 0, description: 'endedAt − startedAt, seconds' }),
    movingS: Type.Number({ minimum: 0, description: 'seconds with speed, cadence or power above zero' }),
    distanceM: Type.Number({ minimum: 0, description: 'distance covered, m' }),
    kj: Type.Number({ minimum: 0, description: 'mechanical work, kJ' }),
    avgPower: NullableNumber('mean power, W; null without a power source'),
    maxPower: NullableNumber('maximum power, W'),
    normalizedPower: NullableNumber('30 s rolling mean, fourth-power average, fourth root; W'),
    intensity: NullableNumber('IF: normalizedPower / FTP'),
    load: NullableNumber('TSS: hours of power data × IF² × 100'),
    avgHr: NullableNumber('mean heart rate, bpm'),
    maxHr: NullableNumber('maximum heart rate, bpm'),
    timeInPowerZones: Type.Union([TimeInPowerZones, Type.Null()], {
      description: 'seconds in power zones 1–7; null when unknown',
    }),
    timeInHrZones: Type.Union([TimeInHrZones, Type.Null()], {
      description: 'seconds in heart-rate zones 1–5; null when unknown',
    }),
    ftp: Type.Integer({ minimum: 1, description: 'FTP the intensity, load and zones were computed with, W' }),
    gearId: Type.Union([Id('equipment item (inventory)'), Type.Null()], {
      description: 'the bike or shoes the session names, when it names one',
    }),
    workoutId: Type.Union([Uuid('workout'), Type.Null()], {
      description: 'the planned workout the session ran, when it matched one',
    }),
    summarizedAt: EpochMs('when this revision was written'),
  },
  {
    $id: 'wattstream/v1/SessionSummarized',
    additionalProperties: false,
    description: "A training session's summary as kept by the training service (every source).",
  },
);
export type SessionSummarized = Static<typeof SessionSummarized>;

/** Value of a `training.workout.assigned` record (key = athleteId): a planned workout on a day, or its removal. */
export const WorkoutAssigned = Type.Object(
  {
    assignmentId: Uuid('the calendar entry'),
    athleteId: Id('athlete whose calendar it is'),
    assignedBy: Id('coach (or the athlete) who planned it'),
    workoutId: Uuid('workout'),
    workoutName: Type.String({ minLength: 1, maxLength: 120 }),
    date: Day("day in the athlete's calendar, YYYY-MM-DD"),
    plannedDurationS: Type.Integer({ minimum: 0, description: 'total duration of the workout, seconds' }),
    action: Type.Union([Type.Literal('assigned'), Type.Literal('removed')]),
    updatedAt: EpochMs('when the calendar changed'),
  },
  {
    $id: 'wattstream/v1/WorkoutAssigned',
    additionalProperties: false,
    description: "A workout was planned on (or removed from) an athlete's calendar.",
  },
);
export type WorkoutAssigned = Static<typeof WorkoutAssigned>;

/** One sample of an uploaded activity: a contract sample plus position, which live samples do not carry. */
export const ImportedSample = Type.Object(
  {
    ts: Sample.properties.ts,
    hr: Sample.properties.hr,
    power: Sample.properties.power,
    cadence: Sample.properties.cadence,
    speed: Sample.properties.speed,
    distance: Sample.properties.distance,
    lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90, description: 'latitude, degrees' })),
    lon: Type.Optional(Type.Number({ minimum: -180, maximum: 180, description: 'longitude, degrees' })),
    altitude: Type.Optional(Type.Number({ minimum: -500, maximum: 9000, description: 'altitude, m' })),
  },
  { additionalProperties: false, minProperties: 2 },
);
export type ImportedSample = Static<typeof ImportedSample>;

export const MAX_IMPORTED_SAMPLES_PER_RECORD = 1000;

/**
 * Value of a `training.samples.imported` record (key = athleteId): the samples of an uploaded or
 * imported session, in chunks, for the tracking service to keep with the live history. Written
 * through training's outbox in the transaction that stores the session.
 */
export const SamplesImported = Type.Object(
  {
    sessionId: SessionId,
    athleteId: Id('athlete'),
    deviceId: Id('device the file names (or `upload`)'),
    chunk: Type.Integer({ minimum: 0, description: 'index of this chunk' }),
    chunks: Type.Integer({ minimum: 1, description: 'chunks of the session' }),
    samples: Type.Array(ImportedSample, { minItems: 1, maxItems: MAX_IMPORTED_SAMPLES_PER_RECORD }),
  },
  {
    $id: 'wattstream/v1/SamplesImported',
    additionalProperties: false,
    description: 'Samples of an uploaded session, for the history store.',
  },
);
export type SamplesImported = Static<typeof SamplesImported>;
