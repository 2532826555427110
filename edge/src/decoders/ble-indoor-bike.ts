import { ok, ReadingBuilder } from './normalize.js';
import { Reader, safely } from './reader.js';
import type { DecodeContext, DecodeResult } from './types.js';

/**
 * FTMS Indoor Bike Data 0x2AD2 (Fitness Machine Service 0x1826; FTMS v1.0 §4.9). Stateless.
 *
 * Bit 0 is "More Data" and is INVERTED relative to every other flag: 0 means Instantaneous Speed
 * IS present (pyftms `mask ^= 1`, Flux `speedPresent = bit0 === 0`). GoldenCheetah's consumer
 * gets this wrong (`flags & !FTMS_MORE_DATA` is always 0), so do not copy it.
 * Values of all ones (0xFFFF, 0x7FFF signed, 0xFF) mean "not available" and are omitted.
 */
export function decodeIndoorBikeData(bytes: Uint8Array, state: null, _ctx?: DecodeContext): [DecodeResult, null] {
  return safely(state, () => {
    const r = new Reader(bytes);
    const out = new ReadingBuilder();
    const flags = r.u16('flags');
    out.detail('moreData', (flags & 0x0001) !== 0);
    if ((flags & 0x0001) === 0) {
      const v = r.u16('instantaneous speed');
      if (v !== 0xffff) out.set('speed', v / 100 / 3.6);
    }
    if (flags & 0x0002) {
      const v = r.u16('average speed');
      if (v !== 0xffff) out.detail('averageSpeedMps', Math.round((v / 100 / 3.6) * 1000) / 1000);
    }
    if (flags & 0x0004) {
      const v = r.u16('instantaneous cadence');
      if (v !== 0xffff) out.set('cadence', v / 2);
    }
    if (flags & 0x0008) {
      const v = r.u16('average cadence');
      if (v !== 0xffff) out.detail('averageCadenceRpm', v / 2);
    }
    if (flags & 0x0010) {
      const v = r.u24('total distance');
      if (v !== 0xffffff) out.set('distance', v);
    }
    if (flags & 0x0020) {
      const v = r.s16('resistance level');
      if (v !== 0x7fff) out.detail('resistanceLevel', v);
    }
    if (flags & 0x0040) {
      const v = r.s16('instantaneous power');
      if (v !== 0x7fff) out.set('power', Math.max(0, v));
    }
    if (flags & 0x0080) {
      const v = r.s16('average power');
      if (v !== 0x7fff) out.detail('averagePowerW', v);
    }
    if (flags & 0x0100) {
      const total = r.u16('total energy');
      const perHour = r.u16('energy per hour');
      const perMinute = r.u8('energy per minute');
      if (total !== 0xffff) out.detail('totalEnergyKcal', total);
      if (perHour !== 0xffff) out.detail('energyPerHourKcal', perHour);
      if (perMinute !== 0xff) out.detail('energyPerMinuteKcal', perMinute);
    }
    if (flags & 0x0200) {
      const v = r.u8('heart rate');
      if (v !== 0 && v !== 0xff) out.set('hr', v);
    }
    if (flags & 0x0400) {
      const v = r.u8('metabolic equivalent');
      if (v !== 0xff) out.detail('metabolicEquivalent', v / 10);
    }
    if (flags & 0x0800) out.detail('elapsedTimeS', r.u16('elapsed time'));
    if (flags & 0x1000) out.detail('remainingTimeS', r.u16('remaining time'));
    return [ok(out), state];
  });
}
