import { ok, ReadingBuilder } from './normalize.js';
import { Reader, safely } from './reader.js';
import {
  DEFAULT_WHEEL_OPTIONS,
  type RevolutionState,
  readCrankRevolutions,
  readWheelRevolutions,
  type WheelOptions,
} from './revolutions.js';
import type { DecodeContext, DecodeResult } from './types.js';

/**
 * CSC Measurement 0x2A5B (Cycling Speed and Cadence Service 0x1816; CSCS v1.0 §3.1).
 * flags bit0: cumulative wheel revs uint32 + last wheel event time uint16 (1/1024 s);
 * bit1: cumulative crank revs uint16 + last crank event time uint16 (1/1024 s).
 * Both event times wrap every 64 s; crank revs wrap at 65536.
 */
export function decodeCscMeasurement(
  bytes: Uint8Array,
  state: RevolutionState,
  ctx: DecodeContext,
  opts: WheelOptions = DEFAULT_WHEEL_OPTIONS,
): [DecodeResult, RevolutionState] {
  return safely(state, () => {
    const r = new Reader(bytes);
    const out = new ReadingBuilder();
    const flags = r.u8('flags');
    let next = state;
    if (flags & 0x01) next = readWheelRevolutions(r, next, out, ctx.nowMs, opts, 1024);
    if (flags & 0x02) next = readCrankRevolutions(r, next, out, ctx.nowMs, opts);
    return [ok(out), next];
  });
}
