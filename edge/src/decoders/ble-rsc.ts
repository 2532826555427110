import { ok, ReadingBuilder } from './normalize.js';
import { Reader, safely } from './reader.js';
import type { DecodeContext, DecodeResult } from './types.js';

/**
 * RSC Measurement 0x2A53 (Running Speed and Cadence Service 0x1814; RSCS v1.0 §3.1). Stateless.
 * speed uint16 1/256 m/s · cadence uint8 steps/min · [bit0] stride length uint16 1/100 m ·
 * [bit1] total distance uint32 1/10 m · bit2: running (1) or walking (0).
 *
 * Cadence is normalized to strides per minute (one stride = two steps), the unit FIT files use
 * for running cadence, so that "cadence" means one full leg cycle for runners and cyclists alike.
 */
export function decodeRscMeasurement(bytes: Uint8Array, state: null, _ctx?: DecodeContext): [DecodeResult, null] {
  return safely(state, () => {
    const r = new Reader(bytes);
    const out = new ReadingBuilder();
    const flags = r.u8('flags');
    out.set('speed', r.u16('instantaneous speed') / 256);
    const stepsPerMin = r.u8('instantaneous cadence');
    out.set('cadence', stepsPerMin / 2);
    out.detail('stepsPerMinute', stepsPerMin);
    if (flags & 0x01) out.detail('strideLengthM', r.u16('instantaneous stride length') / 100);
    if (flags & 0x02) out.set('distance', r.u32('total distance') / 10);
    out.detail('motion', flags & 0x04 ? 'running' : 'walking');
    return [ok(out), state];
  });
}
