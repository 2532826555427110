import { type Static, Type } from '@sinclair/typebox';
import { EpochMs, Id } from '../ids.js';

const N = (description: string) => Type.Union([Type.Number(), Type.Null()], { description });
const Zone = (description: string) =>
  Type.Union([Type.Integer({ minimum: 1, maximum: 7 }), Type.Null()], { description });

/** The live metric names, shared by `tracking.stats.updated` and the live WebSocket channel. */
export const LiveMetrics = Type.Object(
  {
    power: N('latest power, W'),
    power3s: N('3 s rolling mean power, W'),
    power10s: N('10 s rolling mean power, W'),
    power30s: N('30 s rolling mean power, W'),
    avgPower: N('mean power since the session started, W'),
    maxPower: N('maximum power, W'),
    normalizedPower: N('30 s rolling mean, fourth-power average, fourth root; W'),
    intensity: N('normalizedPower / FTP'),
    load: N('hours × intensity² × 100'),
    kj: Type.Number({ minimum: 0, description: 'work done, kJ' }),
    hr: N('latest heart rate, bpm'),
    avgHr: N('mean heart rate, bpm'),
    maxHr: N('maximum heart rate, bpm'),
    hrZone: Zone('heart-rate zone 1–5 (from LTHR)'),
    powerZone: Zone('power zone 1–7, boundaries at 55/75/90/105/120/150 % of FTP'),
    timeInPowerZones: Type.Array(Type.Number({ minimum: 0 }), {
      minItems: 7,
      maxItems: 7,
      description: 'seconds spent in power zones 1–7',
    }),
    wbal: N("W' balance, J (Skiba, differential form)"),
    cadence: N('latest cadence, rpm'),
    speed: N('latest speed, m/s'),
    distance: Type.Number({ minimum: 0, description: 'distance covered in the session, m' }),
    elapsedS: Type.Number({ minimum: 0, description: 'seconds since the session started' }),
    movingS: Type.Number({ minimum: 0, description: 'seconds in motion' }),
  },
  { $id: 'wattstream/v1/LiveMetrics', additionalProperties: false },
);
export type LiveMetrics = Static<typeof LiveMetrics>;

/** Value of a `tracking.stats.updated` record (key = athleteId), at most 4 per second per athlete. */
export const StatsUpdated = Type.Object(
  {
    athleteId: Id('athlete'),
    sessionId: Type.String({ description: 'session the stats belong to, `{athleteId}:{startTs}`' }),
    seq: Type.Integer({ minimum: 0, description: 'per-athlete update counter, increasing' }),
    ts: EpochMs('event time of the latest sample applied'),
    profileSource: Type.Union([Type.Literal('profile'), Type.Literal('default')], {
      description: "'default' until the athlete has a profile; FTP-based fields then use defaults",
    }),
    metrics: LiveMetrics,
  },
  {
    $id: 'wattstream/v1/StatsUpdated',
    additionalProperties: false,
    description: 'Live per-athlete statistics computed by the stream processor.',
  },
);
export type StatsUpdated = Static<typeof StatsUpdated>;
