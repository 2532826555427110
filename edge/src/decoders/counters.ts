/**
 * Rates from cumulative event counters (crank or wheel revolutions with the time of the last
 * event), the way every cycling sensor reports them. Handles the three pitfalls of
 * ../shared/notes/sensors.md §1.3: counters wrap (add the modulus when `cur < prev`), an
 * unchanged event time means "no new event" (hold the last rate, then report 0 once it is stale,
 * GoldenCheetah `prevCrankStaleness`), and counters restart from 0 after a reconnect (the caller
 * resets the baseline; an implausible jump does the same as a safety net).
 */
export interface CounterState {
  revs: number;
  time: number;
  /** Arrival time of the last payload whose event time changed. */
  changedAtMs: number;
  /** Last computed rate (events per second), held while the event time does not move. */
  rate: number | undefined;
}

export interface CounterSpec {
  revModulus: number;
  timeModulus: number;
  ticksPerSecond: number;
  /** Rates above this (events/s) are a counter reset, not a measurement. */
  maxRate: number;
  /** After this long without a new event the rate is 0. */
  staleMs: number;
}

export interface CounterStep {
  /** Events per second, or undefined when there is no baseline yet. */
  rate: number | undefined;
  /** Revolutions since the previous payload (0 on a new baseline). */
  deltaRevs: number;
  next: CounterState;
  /** True when this payload became a new baseline because the counters jumped. */
  rebaselined: boolean;
}

export const wrapDelta = (cur: number, prev: number, modulus: number): number =>
  cur >= prev ? cur - prev : cur + modulus - prev;

/**
 * A running total fed by a wrapping counter (FE-C and SDM distance, SDM strides). Without a
 * previous reading (`last` undefined: first message, or after a reconnect reset the baseline) the
 * reading adds nothing, so the total never goes back; the very first reading of a new total (0)
 * is taken as it is, as the device counts from its own start.
 */
export const accumulate = (total: number, last: number | undefined, raw: number, modulus: number): number =>
  last === undefined ? (total === 0 ? raw : total) : total + wrapDelta(raw, last, modulus);

export function stepCounter(
  prev: CounterState | undefined,
  revs: number,
  time: number,
  nowMs: number,
  spec: CounterSpec,
): CounterStep {
  const baseline = (rebaselined: boolean): CounterStep => ({
    rate: undefined,
    deltaRevs: 0,
    next: { revs, time, changedAtMs: nowMs, rate: undefined },
    rebaselined,
  });
  if (!prev) return baseline(false);
  // Wheel revolutions are uint32 and never wrap in practice: a decrease is a counter reset.
  if (spec.revModulus > 0x10000 && revs < prev.revs) return baseline(true);
  const dTime = wrapDelta(time, prev.time, spec.timeModulus);
  const dRevs = wrapDelta(revs, prev.revs, spec.revModulus);
  if (dTime === 0) {
    if (dRevs !== 0) return baseline(true);
    const stale = nowMs - prev.changedAtMs >= spec.staleMs;
    return { rate: stale ? 0 : prev.rate, deltaRevs: 0, next: prev, rebaselined: false };
  }
  const rate = dRevs / (dTime / spec.ticksPerSecond);
  if (rate > spec.maxRate) return baseline(true);
  return { rate, deltaRevs: dRevs, next: { revs, time, changedAtMs: nowMs, rate }, rebaselined: false };
}
