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
 * Cycling Power Measurement 0x2A63 (Cycling Power Service 0x1818; CPS v1.1 §3.2 Table 3.2).
 * Every optional field is read in spec order so that later fields land at the right offset.
 * Power is sint16 (negative values are clamped to 0: the contract has no negative power).
 * Wheel event time is in 1/2048 s here (unlike CSC's 1/1024), crank event time in 1/1024 s.
 */
export function decodeCyclingPowerMeasurement(
  bytes: Uint8Array,
  state: RevolutionState,
  ctx: DecodeContext,
  opts: WheelOptions = DEFAULT_WHEEL_OPTIONS,
): [DecodeResult, RevolutionState] {
  return safely(state, () => {
    const r = new Reader(bytes);
    const out = new ReadingBuilder();
    const flags = r.u16('flags');
    const power = r.s16('instantaneous power');
    out.set('power', Math.max(0, power));
    if (flags & 0x0001) {
      const balance = r.u8('pedal power balance');
      // 1/2 %; 0xFF is "unknown". bit1 says whether it is the left pedal's share.
      if (balance !== 0xff) {
        out.detail('pedalPowerBalancePercent', balance / 2);
        out.detail('balanceReference', flags & 0x0002 ? 'left' : 'unknown');
      }
    }
    if (flags & 0x0004) {
      out.detail('accumulatedTorqueNm', r.u16('accumulated torque') / 32);
      out.detail('torqueSource', flags & 0x0008 ? 'crank' : 'wheel');
    }
    let next: RevolutionState = state;
    if (flags & 0x0010) next = readWheelRevolutions(r, next, out, ctx.nowMs, opts, 2048);
    if (flags & 0x0020) next = readCrankRevolutions(r, next, out, ctx.nowMs, opts);
    if (flags & 0x0040) {
      out.detail('maxForceN', r.s16('maximum force magnitude'));
      out.detail('minForceN', r.s16('minimum force magnitude'));
    }
    if (flags & 0x0080) {
      out.detail('maxTorqueNm', r.s16('maximum torque magnitude') / 32);
      out.detail('minTorqueNm', r.s16('minimum torque magnitude') / 32);
    }
    if (flags & 0x0100) {
      // Two uint12 packed in 3 bytes: maximum angle in the low 12 bits, minimum in the high 12.
      const b = r.bytes(3, 'extreme angles');
      out.detail('maxAngleDeg', b[0]! | ((b[1]! & 0x0f) << 8));
      out.detail('minAngleDeg', (b[1]! >> 4) | (b[2]! << 4));
    }
    if (flags & 0x0200) out.detail('topDeadSpotAngleDeg', r.u16('top dead spot angle'));
    if (flags & 0x0400) out.detail('bottomDeadSpotAngleDeg', r.u16('bottom dead spot angle'));
    if (flags & 0x0800) out.detail('accumulatedEnergyKj', r.u16('accumulated energy'));
    if (flags & 0x1000) out.detail('offsetCompensationIndicator', true);
    if (power < 0) out.detail('negativePowerW', power);
    return [ok(out), next];
  });
}
