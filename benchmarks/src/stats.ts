import * as hdr from 'hdr-histogram-js';

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

/**
 * Latencies in microseconds in an HdrHistogram (3 significant digits, up to 10 min), reported in
 * milliseconds. Coordinated omission is the caller's concern: measure from the intended send time.
 */
export class LatencyRecorder {
  private readonly h = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 600_000_000,
    numberOfSignificantValueDigits: 3,
  });

  recordMs(ms: number): void {
    this.h.recordValue(Math.max(1, Math.round(ms * 1000)));
  }

  get count(): number {
    return this.h.totalCount;
  }

  summary(): LatencySummary {
    const at = (p: number) => this.h.getValueAtPercentile(p) / 1000;
    return {
      count: this.h.totalCount,
      p50: at(50),
      p95: at(95),
      p99: at(99),
      p999: at(99.9),
      max: this.h.maxValue / 1000,
      mean: this.h.mean / 1000,
    };
  }

  /** Percentile curve for plotting: [percentile, ms]. */
  curve(): [number, number][] {
    const ps = [0, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.99, 100];
    return this.h.totalCount === 0 ? [] : ps.map((p) => [p, this.h.getValueAtPercentile(p) / 1000]);
  }
}

/** A named series of `[secondsSinceStart, value]` points, for "over time" plots. */
export interface Series {
  name: string;
  unit: string;
  points: [number, number][];
}

/**
 * Samples a counter once per interval and records the per-second rate; the first `warmupMs` of
 * samples are kept in the series (so the plot shows them) but excluded from `steadyRate`.
 */
export class RateSampler {
  readonly series: Series;
  private last: number;
  private lastAt: number;
  private readonly startedAt: number;
  private timer: NodeJS.Timeout | undefined;
  private readonly steady: number[] = [];

  constructor(
    name: string,
    unit: string,
    private readonly read: () => number,
    private readonly warmupMs: number,
    intervalMs = 1000,
  ) {
    this.series = { name, unit, points: [] };
    this.startedAt = performance.now();
    this.last = read();
    this.lastAt = this.startedAt;
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  private sample(): void {
    const now = performance.now();
    const v = this.read();
    const rate = ((v - this.last) * 1000) / (now - this.lastAt);
    this.series.points.push([Math.round((now - this.startedAt) / 100) / 10, Math.round(rate)]);
    if (now - this.startedAt > this.warmupMs) this.steady.push(rate);
    this.last = v;
    this.lastAt = now;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Mean rate after warm-up (per second). */
  steadyRate(): number {
    if (this.steady.length === 0) return 0;
    return this.steady.reduce((a, b) => a + b, 0) / this.steady.length;
  }
}

/** Samples any gauge (RSS, lag, …) once per interval. */
export class GaugeSampler {
  readonly series: Series;
  private readonly startedAt = performance.now();
  private readonly timer: NodeJS.Timeout;

  constructor(name: string, unit: string, read: () => number | Promise<number>, intervalMs = 1000) {
    this.series = { name, unit, points: [] };
    this.timer = setInterval(async () => {
      const v = await read();
      if (Number.isFinite(v)) this.series.points.push([Math.round((performance.now() - this.startedAt) / 100) / 10, v]);
    }, intervalMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  max(): number {
    return Math.max(0, ...this.series.points.map((p) => p[1]));
  }
}

/** Rounds to `digits` decimals; a tiny negative rounds to 0, not -0, which JSON cannot keep. */
export const round = (n: number, digits = 1): number => {
  const f = 10 ** digits;
  const r = Math.round(n * f) / f;
  return Object.is(r, -0) ? 0 : r;
};

/** `edge-sim` → `edgeSim`: a service name as part of a figure name. */
export const camel = (name: string): string => name.replace(/-(\w)/g, (_, x: string) => x.toUpperCase());
