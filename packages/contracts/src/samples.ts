import { type Static, Type } from '@sinclair/typebox';
import { EpochMs, Id } from './ids.js';
import { Traceparent } from './trace-context.js';

/**
 * Metric ranges of contract v1. One place, used by the schema below, by decoders (to clamp or
 * reject what a sensor reports) and by docs.
 */
export const METRIC_RANGES = {
  hr: { min: 20, max: 250, integer: true, unit: 'bpm' },
  power: { min: 0, max: 3000, integer: true, unit: 'W' },
  cadence: { min: 0, max: 250, integer: false, unit: 'rpm' },
  speed: { min: 0, max: 40, integer: false, unit: 'm/s' },
  distance: { min: 0, max: Number.MAX_SAFE_INTEGER, integer: false, unit: 'm (cumulative)' },
} as const;

export const RR_RANGE = { min: 200, max: 3000, maxItems: 32, unit: 'ms' } as const;
export const MAX_SAMPLES_PER_BATCH = 1000;

export type ScalarMetric = keyof typeof METRIC_RANGES;
export const SCALAR_METRICS = Object.keys(METRIC_RANGES) as ScalarMetric[];
export const METRIC_NAMES = [...SCALAR_METRICS, 'rr'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

const metric = (name: ScalarMetric, description: string) => {
  const r = METRIC_RANGES[name];
  const opts = { description: `${description} (${r.unit})`, minimum: r.min, maximum: r.max };
  return Type.Optional(r.integer ? Type.Integer(opts) : Type.Number(opts));
};

/** One instant of one device's readings. `ts` plus at least one metric; no other fields. */
export const Sample = Type.Object(
  {
    ts: EpochMs('time of the reading, epoch milliseconds'),
    hr: metric('hr', 'heart rate'),
    power: metric('power', 'instantaneous power'),
    cadence: metric('cadence', 'cadence'),
    speed: metric('speed', 'speed'),
    distance: metric('distance', 'cumulative distance since the device started'),
    rr: Type.Optional(
      Type.Array(Type.Integer({ minimum: RR_RANGE.min, maximum: RR_RANGE.max }), {
        minItems: 1,
        maxItems: RR_RANGE.maxItems,
        description: 'RR intervals (ms) that ended at this instant, oldest first',
      }),
    ),
  },
  {
    $id: 'wattstream/v1/Sample',
    additionalProperties: false,
    minProperties: 2,
    description: 'A sample: `ts` and at least one metric.',
  },
);
export type Sample = Static<typeof Sample>;

/** MQTT payload on `v1/samples/{athleteId}/{deviceId}`: UTF-8 JSON. */
export const SampleBatch = Type.Object(
  {
    seq: Type.Integer({
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
      description: 'batch sequence number, increasing per device',
    }),
    traceparent: Type.Optional(
      Traceparent(
        "W3C trace context of the edge's span for this batch, when the edge traces it (MQTT 3.1.1 has no user properties to carry it); not part of the batch's identity or its canonical encoding",
      ),
    ),

    samples: Type.Array(Sample, {
      minItems: 1,
      maxItems: MAX_SAMPLES_PER_BATCH,
      description: `1–${MAX_SAMPLES_PER_BATCH} samples, at most one per ts`,
    }),
  },
  {
    $id: 'wattstream/v1/SampleBatch',
    additionalProperties: false,
    description: 'A batch of samples from one device, published by an edge.',
  },
);
export type SampleBatch = Static<typeof SampleBatch>;

/** Value of a `tracking.metrics.received` record: the batch plus who sent it. */
export const MetricsReceived = Type.Object(
  {
    athleteId: Id('athlete the samples belong to (also the record key)'),
    deviceId: Id('sensor or device that produced the samples'),
    edgeId: Id('edge agent that published the batch'),
    seq: SampleBatch.properties.seq,
    samples: SampleBatch.properties.samples,
  },
  {
    $id: 'wattstream/v1/MetricsReceived',
    additionalProperties: false,
    description: 'A validated sample batch as accepted by ingest.',
  },
);
export type MetricsReceived = Static<typeof MetricsReceived>;
