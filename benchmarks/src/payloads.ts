import { RecordBuilder } from '@wattstream/ingest';

/**
 * The `samples` array of a batch as JSON text, with plausible variability (power around 200 W,
 * cadence, heart rate), `n` samples `stepMs` apart ending at `tsNewest`. `variant` picks one of
 * many deterministic rides, so records do not compress better than real ones would.
 */
export function samplesJson(variant: number, n: number, stepMs: number, tsNewest: number): string {
  let x = (variant * 7919 + 17) % 2147483647 || 1;
  const rnd = () => {
    x = (x * 16807) % 2147483647;
    return x / 2147483647;
  };
  let s = '[';
  for (let i = 0; i < n; i++) {
    const ts = tsNewest - (n - 1 - i) * stepMs;
    const power = Math.round(180 + 60 * Math.sin((variant * n + i) / 40) + 40 * rnd());
    const cadence = Math.round((82 + 12 * rnd()) * 10) / 10;
    const hr = Math.round(120 + 30 * Math.sin((variant * n + i) / 300) + 5 * rnd());
    s += `${i ? ',' : ''}{"ts":${ts},"power":${power},"cadence":${cadence},"hr":${hr}}`;
  }
  return `${s}]`;
}

/** Base time of the fixed batches, so every run publishes the same bytes. */
const FIXED_T0 = 1_764_000_000_000;

/**
 * Fixed batch `seq` as an edge publishes it: one of 64 prebuilt rides (by `seq % 64`), `n` samples
 * over `periodMs`. Only `seq` differs between publishes of the same ride.
 */
export function fixedSamplesJson(seq: number, n: number, periodMs: number): string {
  const step = Math.max(1, Math.floor(periodMs / n));
  return samplesJson(seq % 64, n, step, FIXED_T0 + n * step);
}

/** The `tracking.metrics.received` value ingest writes for fixed batch `seq` of `athleteId`. */
export function ingestRecordValue(athleteId: string, seq: number, n: number, periodMs: number): string {
  const verdict = new RecordBuilder('bench').build({
    edgeId: `${athleteId}-edge`,
    athleteId,
    deviceId: `${athleteId}-pm`,
    topic: `v1/samples/${athleteId}/${athleteId}-pm`,
    payload: Buffer.from(`{"seq":${seq},"samples":${fixedSamplesJson(seq, n, periodMs)}}`),
    qos: 1,
    receivedAt: FIXED_T0,
  });
  if (!verdict.ok) throw new Error(`bench batch refused by ingest: ${verdict.reason}`);
  return verdict.record.value.toString();
}
