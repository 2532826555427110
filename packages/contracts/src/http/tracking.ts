import { type Static, Type } from '@sinclair/typebox';
import { SessionId } from '../events/training.js';
import { Id } from '../ids.js';

/** REST shapes of the tracking service (`/v1/...`, exposed by the gateway under `/tracking`). */

const Nullable = (description: string) => Type.Union([Type.Number(), Type.Null()], { description });

export const MAX_HISTORY_POINTS = 2000;

/** Column-oriented samples: `t[i]` with `power[i]`, `hr[i]`, … (null where a bucket has no value). */
export const SampleSeries = Type.Object(
  {
    athleteId: Id('athlete'),
    deviceId: Type.Union([Id('device'), Type.Null()], {
      description: 'the one device asked for, or null: all devices',
    }),
    from: Type.Integer({ description: 'range start, epoch ms (inclusive)' }),
    to: Type.Integer({ description: 'range end, epoch ms (exclusive)' }),
    resolutionMs: Type.Integer({ minimum: 1, description: 'bucket width of the downsampling (SAMPLE BY), ms' }),
    t: Type.Array(Type.Integer(), { description: 'bucket start, epoch ms' }),
    power: Type.Array(Type.Union([Type.Number(), Type.Null()]), { description: 'mean power, W' }),
    hr: Type.Array(Type.Union([Type.Number(), Type.Null()]), { description: 'mean heart rate, bpm' }),
    cadence: Type.Array(Type.Union([Type.Number(), Type.Null()]), { description: 'mean cadence, rpm' }),
    speed: Type.Array(Type.Union([Type.Number(), Type.Null()]), { description: 'mean speed, m/s' }),
    distance: Type.Array(Type.Union([Type.Number(), Type.Null()]), { description: 'last cumulative distance, m' }),
    nextCursor: Type.Union([Type.String(), Type.Null()], {
      description: 'more buckets follow: pass as `cursor` for the next page',
    }),
  },
  { $id: 'wattstream/tracking/SampleSeries', additionalProperties: false },
);
export type SampleSeries = Static<typeof SampleSeries>;

export const PowerDuration = Type.Object(
  {
    sessionId: SessionId,
    best: Type.Array(
      Type.Object(
        {
          durationS: Type.Integer({ minimum: 1 }),
          watts: Nullable('best mean power over any window of this length, W; null when the session is shorter'),
        },
        { additionalProperties: false },
      ),
    ),
    peakHr: Nullable('highest heart rate, bpm'),
  },
  { $id: 'wattstream/tracking/PowerDuration', additionalProperties: false },
);
export type PowerDuration = Static<typeof PowerDuration>;

export const DeviceStatus = Type.Object(
  {
    items: Type.Array(
      Type.Object(
        {
          deviceId: Id('device'),
          lastSeen: Type.String({ format: 'date-time', description: 'time of its latest sample' }),
          metrics: Type.Array(Type.String(), { description: 'metrics it reported in its latest samples' }),
          battery: Nullable('battery level, % (null: the samples carry none)'),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { $id: 'wattstream/tracking/DeviceStatus', additionalProperties: false },
);
export type DeviceStatus = Static<typeof DeviceStatus>;
