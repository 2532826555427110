import { checkPage, decodeCommonPage, ReadingBuilder, unsupportedPage } from './ant-common.js';
import { accumulate, wrapDelta } from './counters.js';
import { ok } from './normalize.js';
import { safely } from './reader.js';
import type { DecodeContext, DecodeResult } from './types.js';

export interface AntSdmState {
  /** Last raw distance (m, 1/16 resolution, rolls over at 256) and the accumulated total. */
  lastDistance?: number;
  distanceM: number;
  lastStrides?: number;
  strides: number;
}

export const initialAntSdmState = (): AntSdmState => ({ distanceM: 0, strides: 0 });
export const resetAntSdmState = (s: AntSdmState): AntSdmState => ({ distanceM: s.distanceM, strides: s.strides });

const LOCATION = ['laces', 'midsole', 'other', 'ankle'] as const;
const BATTERY = ['new', 'good', 'ok', 'low'] as const;
const HEALTH = ['ok', 'error', 'warning', 'reserved'] as const;
const USE = ['inactive', 'active', 'reserved', 'reserved'] as const;

/**
 * ANT+ Stride Based Speed and Distance Monitor, device type 124 (ANT+ SDM profile rev 1.x;
 * Nordic nRF5 `ant_sdm_utils.h`: time 1/200 s, distance 1/16 m, speed 1/256 m/s).
 *
 * - Page 1: byte 1 time fraction (1/200 s), byte 2 time integer (s), byte 3 distance integer
 *   (m, rolls at 256), byte 4 high nibble distance fraction (1/16 m) and low nibble speed integer
 *   (m/s), byte 5 speed fraction (1/256 m/s), byte 6 stride count (rolls at 256), byte 7 latency.
 * - Pages 2 and 3: byte 3 cadence integer and byte 4 high nibble cadence fraction (1/16), in
 *   strides/min; speed as page 1; page 3 byte 6 = calories; byte 7 status.
 * Cadence stays in strides/min (one stride = two footfalls), like the BLE RSC decoder.
 */
export function decodeAntSdm(bytes: Uint8Array, state: AntSdmState, _ctx?: DecodeContext): [DecodeResult, AntSdmState] {
  return safely(state, () => {
    const bad = checkPage(bytes);
    if (bad) return [bad, state];
    const b = bytes;
    const page = b[0]!;
    const out = new ReadingBuilder().detail('page', page);
    const speed = (b[4]! & 0x0f) + b[5]! / 256;
    if (page === 1) {
      out.detail('timeS', b[2]! + b[1]! / 200);
      out.set('speed', speed);
      const raw = b[3]! + (b[4]! >> 4) / 16;
      const distanceM = accumulate(state.distanceM, state.lastDistance, raw, 256);
      // Strides start from 0 (a baseline), not from the sensor's own count.
      const strides =
        state.lastStrides === undefined ? state.strides : state.strides + wrapDelta(b[6]!, state.lastStrides, 256);
      out
        .set('distance', distanceM)
        .detail('strides', strides)
        .detail('updateLatencyS', b[7]! / 32);
      return [ok(out), { lastDistance: raw, distanceM, lastStrides: b[6]!, strides }];
    }
    if (page === 2 || page === 3) {
      out.set('cadence', b[3]! + (b[4]! >> 4) / 16);
      out.set('speed', speed);
      if (page === 3) out.detail('calories', b[6]);
      const s = b[7]!;
      out.detail('status', {
        location: LOCATION[s & 0x03],
        battery: BATTERY[(s >> 2) & 0x03],
        health: HEALTH[(s >> 4) & 0x03],
        use: USE[(s >> 6) & 0x03],
      });
      return [ok(out), state];
    }
    if (decodeCommonPage(page, b, out)) return [ok(out), state];
    return [unsupportedPage('stride speed and distance', page), state];
  });
}
