import { METRIC_RANGES, RR_RANGE, type ScalarMetric } from '@wattstream/contracts';
import type { Metrics, Reading } from './types.js';

/**
 * Builds a `Reading` whose metrics are always valid contract v1 values: integers rounded where
 * the contract wants integers, values outside `METRIC_RANGES` moved to `details.outOfRange` so a
 * single odd reading never gets a whole batch rejected by ingest.
 */
export class ReadingBuilder {
  readonly metrics: Metrics = {};
  readonly details: Record<string, unknown> = {};
  private outOfRange: Record<string, unknown> | undefined;

  set(name: ScalarMetric, value: number | undefined): this {
    if (value === undefined || !Number.isFinite(value)) return this;
    const r = METRIC_RANGES[name];
    const v = r.integer ? Math.round(value) : Math.round(value * 1000) / 1000;
    if (v < r.min || v > r.max) {
      this.outOfRange ??= {};
      this.outOfRange[name] = v;
      return this;
    }
    this.metrics[name] = v;
    return this;
  }

  /** RR intervals in ms; out-of-range ones (artefacts, missed beats) are dropped and counted. */
  rr(values: number[]): this {
    const ok: number[] = [];
    const bad: number[] = [];
    for (const raw of values) {
      const v = Math.round(raw);
      (v >= RR_RANGE.min && v <= RR_RANGE.max ? ok : bad).push(v);
    }
    if (bad.length > 0) {
      this.outOfRange ??= {};
      this.outOfRange.rr = bad;
    }
    if (ok.length > 0) this.metrics.rr = ok.slice(-RR_RANGE.maxItems);
    return this;
  }

  detail(key: string, value: unknown): this {
    if (value !== undefined) this.details[key] = value;
    return this;
  }

  build(): Reading {
    if (this.outOfRange) this.details.outOfRange = this.outOfRange;
    return { metrics: this.metrics, details: this.details };
  }
}

export const ok = (b: ReadingBuilder) => ({ ok: true as const, reading: b.build() });
