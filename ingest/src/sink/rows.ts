import type { Sender } from '@questdb/nodejs-client';
import { compile, MetricsReceived, TRACKING_METRICS_TABLE } from '@wattstream/contracts';

const validator = compile(MetricsReceived);

/** Parses a `tracking.metrics.received` value; `undefined` when it is not a MetricsReceived. */
export function parseReceived(value: Buffer | null): MetricsReceived | undefined {
  if (!value) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString('utf8'));
  } catch {
    return undefined;
  }
  const r = validator.validate(parsed);
  return r.ok ? r.value : undefined;
}

/**
 * One row per sample into `tracking_metrics` (ts, athlete_id, device_id, hr, power, cadence,
 * speed, distance). RR intervals have no column in contract v1's table: an rr-only sample has
 * nothing to store there and gives no row (the intervals stay in Kafka). Returns rows buffered.
 */
export async function bufferRows(sender: Sender, batch: MetricsReceived): Promise<number> {
  let rows = 0;
  for (const s of batch.samples) {
    if (
      s.hr === undefined &&
      s.power === undefined &&
      s.cadence === undefined &&
      s.speed === undefined &&
      s.distance === undefined
    ) {
      continue;
    }
    sender.table(TRACKING_METRICS_TABLE).symbol('athlete_id', batch.athleteId).symbol('device_id', batch.deviceId);
    if (s.hr !== undefined) sender.intColumn('hr', s.hr);
    if (s.power !== undefined) sender.intColumn('power', s.power);
    if (s.cadence !== undefined) sender.floatColumn('cadence', s.cadence);
    if (s.speed !== undefined) sender.floatColumn('speed', s.speed);
    if (s.distance !== undefined) sender.floatColumn('distance', s.distance);
    await sender.at(s.ts, 'ms');
    rows++;
  }
  return rows;
}
