import type { MetricsReceived, Sample, SampleBatch } from '@wattstream/contracts';

/**
 * Realistic sample batches for load: a power meter at 4 Hz (power + cadence + speed + distance)
 * with plausible variability. Deterministic for a given (athlete, seq), so runs are comparable.
 */
export function makeBatch(athlete: number, seq: number, samplesPerBatch = 100, t0 = Date.now()): SampleBatch {
  const samples: Sample[] = [];
  const base = t0 + seq * samplesPerBatch * 250;
  let x = (athlete * 7919 + seq * 104729) % 2147483647 || 1;
  const rnd = () => {
    x = (x * 16807) % 2147483647;
    return x / 2147483647;
  };
  for (let i = 0; i < samplesPerBatch; i++) {
    const power = Math.round(180 + 60 * Math.sin((seq * samplesPerBatch + i) / 40) + 30 * rnd());
    samples.push({
      ts: base + i * 250,
      power,
      cadence: Math.round((85 + 10 * rnd()) * 10) / 10,
      speed: Math.round((8 + power / 60) * 100) / 100,
      distance: Math.round((seq * samplesPerBatch + i) * 2.5 * 10) / 10,
    });
  }
  return { seq, samples };
}

export function makeReceived(athlete: number, seq: number, samplesPerBatch = 100, t0?: number): MetricsReceived {
  const b = makeBatch(athlete, seq, samplesPerBatch, t0);
  return {
    athleteId: `a${athlete}`,
    deviceId: `pm${athlete}`,
    edgeId: `edge${athlete % 10}`,
    seq: b.seq,
    samples: b.samples,
  };
}

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
