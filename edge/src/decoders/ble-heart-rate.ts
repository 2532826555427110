import { ok, ReadingBuilder } from './normalize.js';
import { Reader, safely } from './reader.js';
import type { DecodeContext, DecodeResult } from './types.js';

/**
 * Heart Rate Measurement 0x2A37 (Heart Rate Service 0x180D; HRS v1.0 §3.1, GATT Specification
 * Supplement "Heart Rate Measurement"). Stateless.
 *
 * flags bit0: HR is uint16 (else uint8) · bits1–2: sensor contact (bit2 supported, bit1 detected)
 * · bit3: Energy Expended uint16 kJ · bit4: RR-intervals, n × uint16 in 1/1024 s.
 */
export function decodeHeartRateMeasurement(bytes: Uint8Array, state: null, _ctx?: DecodeContext): [DecodeResult, null] {
  return safely(state, () => {
    const r = new Reader(bytes);
    const out = new ReadingBuilder();
    const flags = r.u8('flags');
    const hr = flags & 0x01 ? r.u16('heart rate (uint16)') : r.u8('heart rate (uint8)');
    // 0 bpm is what straps send without skin contact: no reading rather than an invalid one.
    if (hr !== 0) out.set('hr', hr);
    out.detail('contact', flags & 0x04 ? (flags & 0x02 ? 'detected' : 'not-detected') : 'unsupported');
    if (flags & 0x08) out.detail('energyExpendedKj', r.u16('energy expended'));
    if (flags & 0x10) {
      const rr: number[] = [];
      // Loop while ≥ 2 bytes remain; a trailing odd byte is ignored (HRS §3.1.1.5).
      while (r.remaining >= 2) rr.push((r.u16('RR interval') * 1000) / 1024);
      out.rr(rr);
    }
    return [ok(out), state];
  });
}
