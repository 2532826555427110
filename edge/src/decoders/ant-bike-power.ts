import { checkPage, decodeCommonPage, ReadingBuilder, unsupportedPage } from './ant-common.js';
import { wrapDelta } from './counters.js';
import { ok } from './normalize.js';
import { safely, u16le } from './reader.js';
import type { DecodeContext, DecodeResult } from './types.js';

export interface CrankTorqueState {
  events: number;
  period: number;
  torque: number;
  changedAtMs: number;
  power?: number;
  cadence?: number;
}

export interface AntBikePowerState {
  crankTorque?: CrankTorqueState;
}

export interface AntPowerOptions {
  staleMs: number;
}

export const initialAntBikePowerState = (): AntBikePowerState => ({});

/**
 * ANT+ Bike Power, device type 11 (ANT+ Device Profile Bicycle Power rev 4.x).
 *
 * - Page 0x10 standard power-only: byte 1 event count, byte 2 pedal power (0xFF n/a; bit 7 set =
 *   right pedal, low 7 bits = percent), byte 3 instantaneous cadence (0xFF n/a), bytes 4–5
 *   accumulated power, bytes 6–7 instantaneous power (W).
 * - Page 0x12 standard crank torque (§8.2; `ant-plus` 0.2.0 drops it): byte 1 event count, byte 2
 *   crank ticks, byte 3 instantaneous cadence, bytes 4–5 accumulated crank period (1/2048 s),
 *   bytes 6–7 accumulated torque (1/32 N·m). Between two pages: cadence = 60·Δevents/(Δperiod/2048),
 *   torque = Δtorque/(32·Δevents), power = torque·2π·Δevents/(Δperiod/2048) = 128π·Δtorque/Δperiod.
 *   An unchanged event count means no new revolution: hold, then 0 once stale (coasting).
 */
export function decodeAntBikePower(
  bytes: Uint8Array,
  state: AntBikePowerState,
  ctx: DecodeContext,
  opts: AntPowerOptions = { staleMs: 2000 },
): [DecodeResult, AntBikePowerState] {
  return safely(state, () => {
    const bad = checkPage(bytes);
    if (bad) return [bad, state];
    const page = bytes[0]!;
    const out = new ReadingBuilder().detail('page', page);
    if (page === 0x10) {
      out.detail('eventCount', bytes[1]);
      const pedal = bytes[2]!;
      if (pedal !== 0xff) {
        out.detail('pedalPowerPercent', pedal & 0x7f);
        out.detail('pedalPowerReference', pedal & 0x80 ? 'right' : 'unknown');
      }
      if (bytes[3] !== 0xff) out.set('cadence', bytes[3]);
      out.detail('accumulatedPowerW', u16le(bytes, 4));
      out.set('power', u16le(bytes, 6));
      return [ok(out), state];
    }
    if (page === 0x12) return decodeCrankTorque(bytes, state, ctx, opts, out);
    if (decodeCommonPage(page, bytes, out)) return [ok(out), state];
    return [unsupportedPage('bike power', page), state];
  });
}

function decodeCrankTorque(
  b: Uint8Array,
  state: AntBikePowerState,
  ctx: DecodeContext,
  opts: AntPowerOptions,
  out: ReadingBuilder,
): [DecodeResult, AntBikePowerState] {
  const events = b[1]!;
  const period = u16le(b, 4);
  const torque = u16le(b, 6);
  out.detail('crankTicks', b[2]);
  if (b[3] !== 0xff) out.detail('instantaneousCadenceRpm', b[3]);
  const prev = state.crankTorque;
  const baseline: CrankTorqueState = { events, period, torque, changedAtMs: ctx.nowMs };
  if (!prev) return [ok(out), { crankTorque: baseline }];
  const dEvents = wrapDelta(events, prev.events, 256);
  if (dEvents === 0) {
    const stale = ctx.nowMs - prev.changedAtMs >= opts.staleMs;
    out.set('power', stale ? 0 : prev.power);
    out.set('cadence', stale ? 0 : prev.cadence);
    return [ok(out), state];
  }
  const dPeriod = wrapDelta(period, prev.period, 0x10000);
  const dTorque = wrapDelta(torque, prev.torque, 0x10000);
  if (dPeriod === 0) {
    // Events without elapsed crank period cannot give a rate; take this page as the new baseline.
    out.detail('crankCounterReset', true);
    return [ok(out), { crankTorque: baseline }];
  }
  const seconds = dPeriod / 2048;
  const cadence = (60 * dEvents) / seconds;
  const torqueNm = dTorque / (32 * dEvents);
  const power = (torqueNm * 2 * Math.PI * dEvents) / seconds;
  out
    .set('cadence', cadence)
    .set('power', power)
    .detail('torqueNm', Math.round(torqueNm * 1000) / 1000);
  return [ok(out), { crankTorque: { ...baseline, power: Math.round(power), cadence } }];
}
