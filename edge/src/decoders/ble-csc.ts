import type { WheelOptions } from './ble-cycling-power.js';
import { DEFAULT_WHEEL_OPTIONS } from './ble-cycling-power.js';
import { type CounterState, stepCounter } from './counters.js';
import { ok, ReadingBuilder } from './normalize.js';
import { Reader, safely } from './reader.js';
import type { DecodeContext, DecodeResult } from './types.js';

export interface CscState {
  crank?: CounterState;
  wheel?: CounterState;
  distanceM: number;
}

export const initialCscState = (): CscState => ({ distanceM: 0 });
export const resetCscState = (s: CscState): CscState => ({ distanceM: s.distanceM });

/**
 * CSC Measurement 0x2A5B (Cycling Speed and Cadence Service 0x1816; CSCS v1.0 §3.1).
 * flags bit0: cumulative wheel revs uint32 + last wheel event time uint16 (1/1024 s);
 * bit1: cumulative crank revs uint16 + last crank event time uint16 (1/1024 s).
 * Both event times wrap every 64 s; crank revs wrap at 65536.
 */
export function decodeCscMeasurement(
  bytes: Uint8Array,
  state: CscState,
  ctx: DecodeContext,
  opts: WheelOptions = DEFAULT_WHEEL_OPTIONS,
): [DecodeResult, CscState] {
  return safely(state, () => {
    const r = new Reader(bytes);
    const out = new ReadingBuilder();
    const flags = r.u8('flags');
    let next = state;
    if (flags & 0x01) {
      const revs = r.u32('cumulative wheel revolutions');
      const time = r.u16('last wheel event time');
      const circM = opts.wheelCircumferenceMm / 1000;
      const step = stepCounter(state.wheel, revs, time, ctx.nowMs, {
        revModulus: 0x100000000,
        timeModulus: 0x10000,
        ticksPerSecond: 1024,
        maxRate: 40 / circM,
        staleMs: opts.staleMs,
      });
      const distanceM = state.distanceM + step.deltaRevs * circM;
      next = { ...next, wheel: step.next, distanceM };
      if (step.rate !== undefined) out.set('speed', step.rate * circM);
      out.set('distance', distanceM);
      if (step.rebaselined) out.detail('wheelCounterReset', true);
    }
    if (flags & 0x02) {
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
    return [ok(out), next];
  });
}
