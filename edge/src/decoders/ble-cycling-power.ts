import { type CounterState, stepCounter } from './counters.js';
import { ok, ReadingBuilder } from './normalize.js';
import { Reader, safely } from './reader.js';
import type { DecodeContext, DecodeResult } from './types.js';

export interface WheelOptions {
  /** Wheel circumference in millimetres (speed and distance from wheel revolutions). */
  wheelCircumferenceMm: number;
  /** After this long without a new crank/wheel event, cadence/speed is 0. */
  staleMs: number;
}

export const DEFAULT_WHEEL_OPTIONS: WheelOptions = { wheelCircumferenceMm: 2105, staleMs: 2000 };

export interface CyclingPowerState {
  crank?: CounterState;
  wheel?: CounterState;
  /** Distance accumulated from wheel revolutions since the decoder was created, metres. */
  distanceM: number;
}

export const initialCyclingPowerState = (): CyclingPowerState => ({ distanceM: 0 });

/**
 * Cycling Power Measurement 0x2A63 (Cycling Power Service 0x1818; CPS v1.1 §3.2 Table 3.2).
 * Every optional field is read in spec order so that later fields land at the right offset.
 * Power is sint16 (negative values are clamped to 0: the contract has no negative power).
 * Wheel event time is in 1/2048 s here (unlike CSC's 1/1024), crank event time in 1/1024 s.
 */
export function decodeCyclingPowerMeasurement(
  bytes: Uint8Array,
  state: CyclingPowerState,
  ctx: DecodeContext,
  opts: WheelOptions = DEFAULT_WHEEL_OPTIONS,
): [DecodeResult, CyclingPowerState] {
  return safely(state, () => {
    const r = new Reader(bytes);
    const out = new ReadingBuilder();
    const flags = r.u16('flags');
    const power = r.s16('instantaneous power');
    out.set('power', Math.max(0, power));
    if (flags & 0x0001) {
      const balance = r.u8('pedal power balance');
      // 1/2 %; 0xFF is "unknown". bit1 says whether it is the left pedal's share.
      if (balance !== 0xff) {
        out.detail('pedalPowerBalancePercent', balance / 2);
        out.detail('balanceReference', flags & 0x0002 ? 'left' : 'unknown');
      }
    }
    if (flags & 0x0004) {
      out.detail('accumulatedTorqueNm', r.u16('accumulated torque') / 32);
      out.detail('torqueSource', flags & 0x0008 ? 'crank' : 'wheel');
    }
    let next: CyclingPowerState = state;
    if (flags & 0x0010) {
      const revs = r.u32('cumulative wheel revolutions');
      const time = r.u16('last wheel event time');
      const circM = opts.wheelCircumferenceMm / 1000;
      const step = stepCounter(state.wheel, revs, time, ctx.nowMs, {
        revModulus: 0x100000000,
        timeModulus: 0x10000,
        ticksPerSecond: 2048,
        maxRate: 40 / circM,
        staleMs: opts.staleMs,
      });
      const distanceM = state.distanceM + step.deltaRevs * circM;
      next = { ...next, wheel: step.next, distanceM };
      if (step.rate !== undefined) out.set('speed', step.rate * circM);
      out.set('distance', distanceM);
      if (step.rebaselined) out.detail('wheelCounterReset', true);
    }
    if (flags & 0x0020) {
      const revs = r.u16('cumulative crank revolutions');
      const time = r.u16('last crank event time');
      const step = stepCounter(state.crank, revs, time, ctx.nowMs, {
        revModulus: 0x10000,
        timeModulus: 0x10000,
        ticksPerSecond: 1024,
        maxRate: 250 / 60,
        staleMs: opts.staleMs,
      });
      next = { ...next, crank: step.next };
      if (step.rate !== undefined) out.set('cadence', step.rate * 60);
      if (step.rebaselined) out.detail('crankCounterReset', true);
    }
    if (flags & 0x0040) {
      out.detail('maxForceN', r.s16('maximum force magnitude'));
      out.detail('minForceN', r.s16('minimum force magnitude'));
    }
    if (flags & 0x0080) {
      out.detail('maxTorqueNm', r.s16('maximum torque magnitude') / 32);
      out.detail('minTorqueNm', r.s16('minimum torque magnitude') / 32);
    }
    if (flags & 0x0100) {
      // Two uint12 packed in 3 bytes: maximum angle in the low 12 bits, minimum in the high 12.
      const b = r.bytes(3, 'extreme angles');
      out.detail('maxAngleDeg', b[0]! | ((b[1]! & 0x0f) << 8));
      out.detail('minAngleDeg', (b[1]! >> 4) | (b[2]! << 4));
    }
    if (flags & 0x0200) out.detail('topDeadSpotAngleDeg', r.u16('top dead spot angle'));
    if (flags & 0x0400) out.detail('bottomDeadSpotAngleDeg', r.u16('bottom dead spot angle'));
    if (flags & 0x0800) out.detail('accumulatedEnergyKj', r.u16('accumulated energy'));
    if (flags & 0x1000) out.detail('offsetCompensationIndicator', true);
    if (power < 0) out.detail('negativePowerW', power);
    return [ok(out), next];
  });
}

/** Drops the counter baselines (after a reconnect the sensor may restart its counters at 0);
 * keeps the accumulated distance, which stays monotonic. */
export const resetCyclingPowerState = (s: CyclingPowerState): CyclingPowerState => ({ distanceM: s.distanceM });
