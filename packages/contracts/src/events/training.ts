import { type Static, Type } from '@sinclair/typebox';
import { EpochMs, Id } from '../ids.js';

const SessionId = Type.String({
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
