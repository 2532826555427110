import { checkPage, decodeCommonPage, ReadingBuilder, unsupportedPage } from './ant-common.js';
import { accumulate } from './counters.js';
import { ok } from './normalize.js';
import { safely, u16le } from './reader.js';
import type { DecodeContext, DecodeResult } from './types.js';

export interface AntFecState {
  /** Last raw distance byte (rolls over at 256 m) and the total accumulated from it. */
  lastDistance?: number;
  distanceM: number;
}

export const initialAntFecState = (): AntFecState => ({ distanceM: 0 });
export const resetAntFecState = (s: AntFecState): AntFecState => ({ distanceM: s.distanceM });

const EQUIPMENT: Record<number, string> = {
  16: 'general',
  19: 'treadmill',
  20: 'elliptical',
  22: 'rower',
  23: 'climber',
  24: 'nordic-skier',
  25: 'trainer',
};
const FE_STATE = ['reserved', 'off', 'ready', 'in-use', 'finished', 'reserved', 'reserved', 'reserved'] as const;

/**
 * ANT+ Fitness Equipment (FE-C), device type 17 (ANT+ Device Profile Fitness Equipment rev 5.x).
 *
 * - Page 0x10 general FE data: byte 1 equipment type (low 5 bits), byte 2 elapsed time
 *   (0.25 s, rolls at 64 s), byte 3 distance (m, rolls at 256; valid when byte 7 bit 2 is set),
 *   bytes 4–5 speed (0.001 m/s, 0xFFFF invalid), byte 6 heart rate (0xFF invalid), byte 7
 *   capabilities (bits 0–3) and FE state (bits 4–6).
 * - Page 0x19 trainer/stationary bike: byte 1 update event count, byte 2 instantaneous cadence
 *   (0xFF invalid), bytes 3–4 accumulated power, bytes 5–6 instantaneous power (12 bits,
 *   0xFFF invalid; high nibble of byte 6 = trainer status), byte 7 flags (bits 0–3) and FE state.
 */
export function decodeAntFec(bytes: Uint8Array, state: AntFecState, _ctx?: DecodeContext): [DecodeResult, AntFecState] {
  return safely(state, () => {
    const bad = checkPage(bytes);
    if (bad) return [bad, state];
    const page = bytes[0]!;
    const out = new ReadingBuilder().detail('page', page);
    if (page === 0x10) {
      const type = bytes[1]! & 0x1f;
      out.detail('equipmentType', EQUIPMENT[type] ?? `type-${type}`);
      out.detail('elapsedTimeS', bytes[2]! / 4);
      const speed = u16le(bytes, 4);
      if (speed !== 0xffff) out.set('speed', speed / 1000);
      const hr = bytes[6]!;
      if (hr !== 0xff && hr !== 0) out.set('hr', hr);
      const caps = bytes[7]!;
      out.detail('feState', FE_STATE[(caps >> 4) & 0x07]);
      out.detail('virtualSpeed', (caps & 0x08) !== 0);
      let next = state;
      if (caps & 0x04) {
        const raw = bytes[3]!;
        const distanceM = accumulate(state.distanceM, state.lastDistance, raw, 256);
        next = { lastDistance: raw, distanceM };
        out.set('distance', distanceM);
      }
      return [ok(out), next];
    }
    if (page === 0x19) {
      out.detail('updateEventCount', bytes[1]);
      if (bytes[2] !== 0xff) out.set('cadence', bytes[2]);
      out.detail('accumulatedPowerW', u16le(bytes, 3));
      const power = bytes[5]! | ((bytes[6]! & 0x0f) << 8);
      if (power !== 0xfff) out.set('power', power);
      const status = bytes[6]! >> 4;
      out.detail('trainerStatus', {
        powerCalibrationRequired: (status & 0x1) !== 0,
        resistanceCalibrationRequired: (status & 0x2) !== 0,
        userConfigurationRequired: (status & 0x4) !== 0,
      });
      const target = bytes[7]! & 0x03;
      out.detail('targetPower', ['at-target', 'speed-too-low', 'speed-too-high', 'limit-reached'][target]);
      out.detail('feState', FE_STATE[(bytes[7]! >> 4) & 0x07]);
      return [ok(out), state];
    }
    if (decodeCommonPage(page, bytes, out)) return [ok(out), state];
    return [unsupportedPage('fitness equipment', page), state];
  });
}
