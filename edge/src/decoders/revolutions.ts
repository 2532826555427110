import { type CounterState, stepCounter } from './counters.js';
import type { ReadingBuilder } from './normalize.js';
import type { Reader } from './reader.js';

/**
 * Wheel and crank revolution data, laid out the same way in CSC Measurement 0x2A5B (CSCS v1.0
 * §3.1) and Cycling Power Measurement 0x2A63 (CPS v1.1 §3.2): cumulative revolutions then the
 * last event time (uint16, wraps every 64 s). Speed, distance and cadence need the previous
 * values, so the state is per sensor.
 */
export interface RevolutionState {
  crank?: CounterState;
  wheel?: CounterState;
  /** Distance accumulated from wheel revolutions since the decoder was created, metres. */
  distanceM: number;
}

export interface WheelOptions {
  /** Wheel circumference in millimetres (speed and distance from wheel revolutions). */
  wheelCircumferenceMm: number;
  /** After this long without a new crank/wheel event, cadence/speed is 0. */
  staleMs: number;
}

export const DEFAULT_WHEEL_OPTIONS: WheelOptions = { wheelCircumferenceMm: 2105, staleMs: 2000 };

export const initialRevolutionState = (): RevolutionState => ({ distanceM: 0 });

/** Drops the counter baselines (after a reconnect the sensor may restart its counters at 0);
 * keeps the accumulated distance, which stays monotonic. */
export const resetRevolutionState = (s: RevolutionState): RevolutionState => ({ distanceM: s.distanceM });

/**
 * A new wheel reading (cumulative revolutions, last event time) → speed and accumulated distance.
 * The counters differ by profile: uint32 revolutions in CSC and Cycling Power, uint16 in ANT+; the
 * event time is 1/1024 s except in Cycling Power (1/2048 s).
 */
export function stepWheel(
  state: RevolutionState,
  revs: number,
  time: number,
  out: ReadingBuilder,
  nowMs: number,
  opts: WheelOptions,
  counter: { revModulus: number; ticksPerSecond: number },
): RevolutionState {
  const circM = opts.wheelCircumferenceMm / 1000;
  const step = stepCounter(state.wheel, revs, time, nowMs, {
    revModulus: counter.revModulus,
    timeModulus: 0x10000,
    ticksPerSecond: counter.ticksPerSecond,
    maxRate: 40 / circM,
    staleMs: opts.staleMs,
  });
  const distanceM = state.distanceM + step.deltaRevs * circM;
  if (step.rate !== undefined) out.set('speed', step.rate * circM);
  out.set('distance', distanceM);
  if (step.rebaselined) out.detail('wheelCounterReset', true);
  return { ...state, wheel: step.next, distanceM };
}

/** A new crank reading (uint16 revolutions, uint16 event time in 1/1024 s) → cadence. */
export function stepCrank(
  state: RevolutionState,
  revs: number,
  time: number,
  out: ReadingBuilder,
  nowMs: number,
  staleMs: number,
): RevolutionState {
  const step = stepCounter(state.crank, revs, time, nowMs, {
    revModulus: 0x10000,
    timeModulus: 0x10000,
    ticksPerSecond: 1024,
    maxRate: 250 / 60,
    staleMs,
  });
  if (step.rate !== undefined) out.set('cadence', step.rate * 60);
  if (step.rebaselined) out.detail('crankCounterReset', true);
  return { ...state, crank: step.next };
}

/** Cumulative wheel revolutions (uint32) + last wheel event time (uint16), as the BLE profiles lay them out. */
export function readWheelRevolutions(
  r: Reader,
  state: RevolutionState,
  out: ReadingBuilder,
  nowMs: number,
  opts: WheelOptions,
  ticksPerSecond: 1024 | 2048,
): RevolutionState {
  const revs = r.u32('cumulative wheel revolutions');
  const time = r.u16('last wheel event time');
  return stepWheel(state, revs, time, out, nowMs, opts, { revModulus: 0x100000000, ticksPerSecond });
}

/** Cumulative crank revolutions (uint16) + last crank event time (uint16, 1/1024 s). */
export function readCrankRevolutions(
  r: Reader,
  state: RevolutionState,
  out: ReadingBuilder,
  nowMs: number,
  opts: WheelOptions,
): RevolutionState {
  const revs = r.u16('cumulative crank revolutions');
  const time = r.u16('last crank event time');
  return stepCrank(state, revs, time, out, nowMs, opts.staleMs);
}
