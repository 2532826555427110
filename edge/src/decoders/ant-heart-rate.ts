import { batteryStatus, checkPage, ReadingBuilder, stepToggle, type ToggleState } from './ant-common.js';
import { wrapDelta } from './counters.js';
import { ok } from './normalize.js';
import { safely, u16le } from './reader.js';
import type { DecodeContext, DecodeResult } from './types.js';

export interface AntHeartRateState extends ToggleState {
  beatCount?: number;
  beatTime?: number;
}

export const initialAntHeartRateState = (): AntHeartRateState => ({ toggleSeen: false });

/**
 * ANT+ Heart Rate, device type 120 (ANT+ Device Profile Heart Rate Monitor rev 2.x §5).
 * Every page: bytes 4–5 last heart beat event time (1/1024 s), byte 6 heart beat count (uint8),
 * byte 7 computed heart rate (0 = invalid). Page 4: bytes 2–3 previous heart beat event time,
 * which gives the RR interval even if the message of the previous beat was missed.
 * RR is emitted once per new beat: from page 4 when available, else from the previous message
 * when the beat count advanced by exactly one.
 */
export function decodeAntHeartRate(
  bytes: Uint8Array,
  state: AntHeartRateState,
  _ctx?: DecodeContext,
): [DecodeResult, AntHeartRateState] {
  return safely(state, () => {
    const bad = checkPage(bytes);
    if (bad) return [bad, state];
    const out = new ReadingBuilder();
    const toggle = stepToggle(state, bytes[0]!);
    const page = bytes[0]! & 0x7f;
    const beatTime = u16le(bytes, 4);
    const beatCount = bytes[6]!;
    const hr = bytes[7]!;
    if (hr !== 0) out.set('hr', hr);
    const paged = toggle.toggleSeen;
    if (paged) out.detail('page', page);
    if (state.beatCount !== undefined && beatCount !== state.beatCount) {
      const beats = wrapDelta(beatCount, state.beatCount, 256);
      if (paged && page === 4) {
        out.rr([(wrapDelta(beatTime, u16le(bytes, 2), 0x10000) * 1000) / 1024]);
      } else if (beats === 1 && state.beatTime !== undefined) {
        out.rr([(wrapDelta(beatTime, state.beatTime, 0x10000) * 1000) / 1024]);
      }
    }
    if (paged) {
      if (page === 1) out.detail('operatingTimeS', (bytes[1]! | (bytes[2]! << 8) | (bytes[3]! << 16)) * 2);
      if (page === 2) out.detail('manufacturerId', bytes[1]).detail('serialNumber', u16le(bytes, 2));
      if (page === 3) out.detail('hwVersion', bytes[1]).detail('swVersion', bytes[2]).detail('modelNumber', bytes[3]);
      if (page === 7) {
        if (bytes[1] !== 0xff && bytes[1]! <= 100) out.detail('batteryPercent', bytes[1]);
        out.detail('batteryStatus', batteryStatus((bytes[3]! >> 4) & 0x07));
      }
    }
    return [ok(out), { ...toggle, beatCount, beatTime }];
  });
}
