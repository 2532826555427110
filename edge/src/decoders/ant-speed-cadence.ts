import { batteryStatus, checkPage, ReadingBuilder, stepToggle, type ToggleState } from './ant-common.js';
import { type CounterState, stepCounter } from './counters.js';
import { ok } from './normalize.js';
import { safely, u16le } from './reader.js';
import { DEFAULT_WHEEL_OPTIONS, type WheelOptions } from './revolutions.js';
import type { DecodeContext, DecodeResult } from './types.js';

export interface AntSpeedCadenceState extends ToggleState {
  crank?: CounterState;
  wheel?: CounterState;
  distanceM: number;
}

export const initialAntSpeedCadenceState = (): AntSpeedCadenceState => ({ toggleSeen: false, distanceM: 0 });
export const resetAntSpeedCadenceState = (s: AntSpeedCadenceState): AntSpeedCadenceState => ({
  toggleSeen: false,
  distanceM: s.distanceM,
});

/** Device types of the ANT+ Bike Speed and Cadence profile (rev 2.x). */
export const ANT_SPEED_CADENCE = 121;
export const ANT_CADENCE = 122;
export const ANT_SPEED = 123;

const crankSpec = (staleMs: number) => ({
  revModulus: 0x10000,
  timeModulus: 0x10000,
  ticksPerSecond: 1024,
  maxRate: 250 / 60,
  staleMs,
});
const wheelSpec = (staleMs: number, circM: number) => ({
  revModulus: 0x10000,
  timeModulus: 0x10000,
  ticksPerSecond: 1024,
  maxRate: 40 / circM,
  staleMs,
});

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
    const circM = opts.wheelCircumferenceMm / 1000;
    let next: AntSpeedCadenceState = state;
    const crank = (time: number, revs: number) => {
      const step = stepCounter(next.crank, revs, time, ctx.nowMs, crankSpec(opts.staleMs));
      next = { ...next, crank: step.next };
      if (step.rate !== undefined) out.set('cadence', step.rate * 60);
      if (step.rebaselined) out.detail('crankCounterReset', true);
    };
    const wheel = (time: number, revs: number) => {
      const step = stepCounter(next.wheel, revs, time, ctx.nowMs, wheelSpec(opts.staleMs, circM));
      const distanceM = next.distanceM + step.deltaRevs * circM;
      next = { ...next, wheel: step.next, distanceM };
      if (step.rate !== undefined) out.set('speed', step.rate * circM);
      out.set('distance', distanceM);
      if (step.rebaselined) out.detail('wheelCounterReset', true);
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
      if (page === 4) {
        out.detail('batteryStatus', batteryStatus((bytes[3]! >> 4) & 0x07));
        const coarse = bytes[3]! & 0x0f;
        if (coarse !== 0x0f) out.detail('batteryVoltage', Math.round((coarse + bytes[2]! / 256) * 1000) / 1000);
      }
      if (page === 5) out.detail('stopped', (bytes[1]! & 0x01) === 1);
    }
    return [ok(out), next];
  });
}
