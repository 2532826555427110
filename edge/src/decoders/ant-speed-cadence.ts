import { checkPage, ReadingBuilder, readBattery, stepToggle, type ToggleState } from './ant-common.js';
import { ok } from './normalize.js';
import { safely, u16le } from './reader.js';
import {
  DEFAULT_WHEEL_OPTIONS,
  initialRevolutionState,
  type RevolutionState,
  resetRevolutionState,
  stepCrank,
  stepWheel,
  type WheelOptions,
} from './revolutions.js';
import type { DecodeContext, DecodeResult } from './types.js';

export type AntSpeedCadenceState = RevolutionState & ToggleState;

export const initialAntSpeedCadenceState = (): AntSpeedCadenceState => ({
  ...initialRevolutionState(),
  toggleSeen: false,
});
export const resetAntSpeedCadenceState = (s: AntSpeedCadenceState): AntSpeedCadenceState => ({
  ...resetRevolutionState(s),
  toggleSeen: false,
});

/** Device types of the ANT+ Bike Speed and Cadence profile (rev 2.x). */
export const ANT_SPEED_CADENCE = 121;
export const ANT_CADENCE = 122;
export const ANT_SPEED = 123;

/** ANT+ counts revolutions in uint16 and times events in 1/1024 s. */
const ANT_WHEEL_COUNTER = { revModulus: 0x10000, ticksPerSecond: 1024 };

/**
 * ANT+ Bike Speed and Cadence (all event times 1/1024 s, all counts uint16, both wrap):
 * - 121 combined: no page byte; bytes 0–1 cadence event time, 2–3 crank revs, 4–5 speed event
 *   time, 6–7 wheel revs.
 * - 122 cadence-only / 123 speed-only: paged (byte 0 bit 7 toggles); bytes 4–5 event time,
 *   6–7 cumulative revolutions. Background page 4 = battery, page 5 (speed) = motion/stopped.
 */
export function decodeAntSpeedCadence(
  deviceType: number,
  bytes: Uint8Array,
  state: AntSpeedCadenceState,
  ctx: DecodeContext,
  opts: WheelOptions = DEFAULT_WHEEL_OPTIONS,
): [DecodeResult, AntSpeedCadenceState] {
  return safely(state, () => {
    const bad = checkPage(bytes);
    if (bad) return [bad, state];
    const out = new ReadingBuilder();
    let next: AntSpeedCadenceState = state;
    const crank = (time: number, revs: number) => {
      next = { ...next, ...stepCrank(next, revs, time, out, ctx.nowMs, opts.staleMs) };
    };
    const wheel = (time: number, revs: number) => {
      next = { ...next, ...stepWheel(next, revs, time, out, ctx.nowMs, opts, ANT_WHEEL_COUNTER) };
    };
    if (deviceType === ANT_SPEED_CADENCE) {
      crank(u16le(bytes, 0), u16le(bytes, 2));
      wheel(u16le(bytes, 4), u16le(bytes, 6));
      return [ok(out), next];
    }
    next = { ...next, ...stepToggle(state, bytes[0]!) };
    const page = bytes[0]! & 0x7f;
    if (deviceType === ANT_CADENCE) crank(u16le(bytes, 4), u16le(bytes, 6));
    else wheel(u16le(bytes, 4), u16le(bytes, 6));
    if (next.toggleSeen) {
      out.detail('page', page);
      if (page === 4) readBattery(out, bytes[3]!, bytes[2]!);
      if (page === 5) out.detail('stopped', (bytes[1]! & 0x01) === 1);
    }
    return [ok(out), next];
  });
}
