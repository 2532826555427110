import { describe, expect, it } from 'vitest';
import { createDecoder, DecodeErrorCode } from '../src/decoders/index.js';
import { hex, reading } from './helpers.js';

const T0 = 1_764_000_000_000;

describe('ANT+ Heart Rate (120)', () => {
  it('reads computed HR and, from page 4, the RR interval once the page toggle is seen', () => {
    const d = createDecoder({ transport: 'ant', deviceType: 120 });
    // beat 16 at 2048/1024 s; toggle bit 0
    expect(reading(d.decode(hex('04 ff 00 04 00 08 10 49'), T0)).metrics).toEqual({ hr: 73 });
    // page 4, toggle 1: beat 17 at 2901, previous beat 2048 → (2901-2048)/1024 s = 833 ms
    const r = reading(d.decode(hex('84 ff 00 08 55 0b 11 49'), T0 + 250));
    expect(r.metrics).toEqual({ hr: 73, rr: [833] });
    expect(r.details.page).toBe(4);
  });

  it('emits RR only for new beats', () => {
    const d = createDecoder({ transport: 'ant', deviceType: 120 });
    d.decode(hex('04 ff 00 04 00 08 10 49'), T0);
    d.decode(hex('84 ff 00 08 55 0b 11 49'), T0 + 250);
    expect(reading(d.decode(hex('84 ff 00 08 55 0b 11 49'), T0 + 500)).metrics).toEqual({ hr: 73 });
  });

  it('falls back to consecutive beat times for legacy sensors without page toggle', () => {
    const d = createDecoder({ transport: 'ant', deviceType: 120 });
    d.decode(hex('00 ff ff ff 00 08 10 48'), T0);
    const r = reading(d.decode(hex('00 ff ff ff 55 0b 11 48'), T0 + 1000));
    expect(r.metrics).toEqual({ hr: 72, rr: [833] });
    expect(r.details.page).toBeUndefined();
  });

  it('survives the rollover of beat time (uint16) and beat count (uint8)', () => {
    const d = createDecoder({ transport: 'ant', deviceType: 120 });
    d.decode(hex('00 ff ff ff e8 fd ff 48'), T0); // time 65000, count 255
    // time 300, count 0: Δ = 836 ticks = 816 ms
    expect(reading(d.decode(hex('00 ff ff ff 2c 01 00 48'), T0 + 1000)).metrics.rr).toEqual([816]);
  });

  it('reads the battery page and ignores HR 0', () => {
    const d = createDecoder({ transport: 'ant', deviceType: 120 });
    d.decode(hex('04 ff 00 04 00 08 10 00'), T0);
    const r = reading(d.decode(hex('87 55 00 33 00 08 10 00'), T0 + 250));
    expect(r.metrics).toEqual({});
    expect(r.details).toMatchObject({ page: 7, batteryPercent: 85, batteryStatus: 'ok' });
  });

  it('gives no RR on the first message after reset() (reconnect)', () => {
    const d = createDecoder({ transport: 'ant', deviceType: 120 });
    d.decode(hex('00 ff ff ff 00 08 10 48'), T0);
    d.reset();
    expect(reading(d.decode(hex('00 ff ff ff 55 0b 11 48'), T0 + 1000)).metrics).toEqual({ hr: 72 });
  });
});

describe('ANT+ Bike Power (11)', () => {
  it('reads page 0x10 standard power-only', () => {
    const d = createDecoder({ transport: 'ant', deviceType: 11 });
    const r = reading(d.decode(hex('10 05 b4 5a e8 03 fa 00'), T0));
    expect(r.metrics).toEqual({ power: 250, cadence: 90 });
    expect(r.details).toMatchObject({ pedalPowerPercent: 52, pedalPowerReference: 'right', accumulatedPowerW: 1000 });
  });

  it('computes cadence, torque and power from two 0x12 crank-torque pages', () => {
    const d = createDecoder({ transport: 'ant', deviceType: 11 });
    expect(reading(d.decode(hex('12 01 00 5a 00 00 00 00'), T0)).metrics).toEqual({});
    // Δevents 1, Δperiod 1365/2048 s, Δtorque 640/32 N·m → 90.02 rpm, 20 N·m, 188.5 W
    const r = reading(d.decode(hex('12 02 01 5a 55 05 80 02'), T0 + 667));
    expect(r.metrics).toEqual({ cadence: 90.022, power: 189 });
    expect(r.details.torqueNm).toBe(20);
  });

  it('handles rollover of event count, crank period and torque in 0x12', () => {
    const d = createDecoder({ transport: 'ant', deviceType: 11 });
    d.decode(hex('12 ff 00 5a e8 fd dc ff'), T0); // events 255, period 65000, torque 65500
    // events 1 (Δ2), period 1730 (Δ2266), torque 1244 (Δ1280) → 108.45 rpm, 20 N·m, 227 W
    const r = reading(d.decode(hex('12 01 00 5a c2 06 dc 04'), T0 + 1100));
    expect(r.metrics).toEqual({ cadence: 108.455, power: 227 });
  });

  it('holds 0x12 values while the event count is unchanged (coasting), then reports 0', () => {
    const d = createDecoder({ transport: 'ant', deviceType: 11 }, { staleMs: 2000 });
    d.decode(hex('12 01 00 5a 00 00 00 00'), T0);
    d.decode(hex('12 02 01 5a 55 05 80 02'), T0 + 667);
    expect(reading(d.decode(hex('12 02 01 5a 55 05 80 02'), T0 + 1000)).metrics).toEqual({
      cadence: 90.022,
      power: 189,
    });
    expect(reading(d.decode(hex('12 02 01 5a 55 05 80 02'), T0 + 2700)).metrics).toEqual({ cadence: 0, power: 0 });
  });

  it('decodes the common battery page and reports other pages as unsupported', () => {
    const d = createDecoder({ transport: 'ant', deviceType: 11 });
    expect(reading(d.decode(hex('52 ff 00 00 00 00 80 23'), T0)).details).toMatchObject({
      batteryStatus: 'good',
      batteryVoltage: 3.5,
    });
    expect(d.decode(hex('20 01 02 03 04 05 06 07'), T0)).toMatchObject({
      ok: false,
      error: { code: DecodeErrorCode.Unsupported },
    });
  });

  it('rejects pages that are not 8 bytes with a typed error', () => {
    const d = createDecoder({ transport: 'ant', deviceType: 11 });
    expect(d.decode(hex('10 05 b4'), T0)).toMatchObject({ ok: false, error: { code: DecodeErrorCode.Truncated } });
    expect(d.decode(hex('10 05 b4 5a e8 03 fa 00 00'), T0)).toMatchObject({
      ok: false,
      error: { code: DecodeErrorCode.Unsupported },
    });
  });
});

describe('ANT+ Bike Speed and Cadence (121/122/123)', () => {
  it('combined sensor (121): +1 crank rev and +2 wheel revs per 1024 ticks → 60 rpm, 4.192 m/s', () => {
    const d = createDecoder({ transport: 'ant', deviceType: 121 }, { wheelCircumferenceMm: 2096 });
    expect(reading(d.decode(hex('00 04 0a 00 00 04 14 00'), T0)).metrics).toEqual({ distance: 0 });
    expect(reading(d.decode(hex('00 08 0b 00 00 08 16 00'), T0 + 1000)).metrics).toEqual({
      cadence: 60,
      speed: 4.192,
      distance: 4.192,
    });
  });

  it('combined sensor: uint16 wheel revolutions and event times wrap', () => {
    const d = createDecoder({ transport: 'ant', deviceType: 121 }, { wheelCircumferenceMm: 2000 });
    d.decode(hex('00 fc ff ff 00 fc ff ff'), T0); // times 0xFC00, revs 0xFFFF
    // times 0x0000 (Δ1024), revs 1 (Δ2) → 120 rpm, 4 m/s
    expect(reading(d.decode(hex('00 00 01 00 00 00 01 00'), T0 + 1000)).metrics).toEqual({
      cadence: 120,
      speed: 4,
      distance: 4,
    });
  });

  it('cadence-only (122) and speed-only (123) read bytes 4–7 of any page', () => {
    const c = createDecoder({ transport: 'ant', deviceType: 122 });
    c.decode(hex('00 ff ff ff 00 04 0a 00'), T0);
    expect(reading(c.decode(hex('00 ff ff ff 00 08 0b 00'), T0 + 1000)).metrics).toEqual({ cadence: 60 });
    const s = createDecoder({ transport: 'ant', deviceType: 123 }, { wheelCircumferenceMm: 2000 });
    s.decode(hex('00 ff ff ff 00 04 0a 00'), T0);
    expect(reading(s.decode(hex('80 ff ff ff 00 08 0c 00'), T0 + 1000)).metrics).toEqual({ speed: 4, distance: 4 });
  });

  it('speed-only: motion page 5 once the toggle is seen; baseline reset after reconnect', () => {
    const s = createDecoder({ transport: 'ant', deviceType: 123 }, { wheelCircumferenceMm: 2000 });
    s.decode(hex('00 ff ff ff 00 04 0a 00'), T0);
    expect(reading(s.decode(hex('85 01 ff ff 00 04 0a 00'), T0 + 250)).details).toMatchObject({
      page: 5,
      stopped: true,
    });
    s.reset();
    expect(reading(s.decode(hex('05 00 ff ff 00 01 00 00'), T0 + 9000)).metrics).toEqual({ distance: 0 });
  });

  it('cadence 0 once the event time is stale', () => {
    const c = createDecoder({ transport: 'ant', deviceType: 122 }, { staleMs: 2000 });
    c.decode(hex('00 ff ff ff 00 04 0a 00'), T0);
    c.decode(hex('00 ff ff ff 00 08 0b 00'), T0 + 1000);
    expect(reading(c.decode(hex('00 ff ff ff 00 08 0b 00'), T0 + 3100)).metrics).toEqual({ cadence: 0 });
  });
});

describe('ANT+ Fitness Equipment FE-C (17)', () => {
  it('reads page 0x10 general FE data', () => {
    const d = createDecoder({ transport: 'ant', deviceType: 17 });
    const r = reading(d.decode(hex('10 19 28 64 8d 20 ff 34'), T0));
    expect(r.metrics).toEqual({ speed: 8.333, distance: 100 });
    expect(r.details).toMatchObject({ equipmentType: 'trainer', elapsedTimeS: 10, feState: 'in-use' });
  });

  it('accumulates distance across the 256 m rollover', () => {
    const d = createDecoder({ transport: 'ant', deviceType: 17 });
    d.decode(hex('10 19 28 64 8d 20 ff 34'), T0);
    expect(reading(d.decode(hex('10 19 28 0a 8d 20 8c 34'), T0 + 1000)).metrics).toEqual({
      speed: 8.333,
      distance: 266,
      hr: 140,
    });
  });

  it('keeps the accumulated distance after a reconnect: the first page after reset() adds nothing', () => {
    const d = createDecoder({ transport: 'ant', deviceType: 17 });
    d.decode(hex('10 19 28 64 8d 20 ff 34'), T0); // 100 m
    d.decode(hex('10 19 28 96 8d 20 ff 34'), T0 + 1000); // 150 m
    d.reset();
    // The trainer's counter is elsewhere after the reconnect (70): a new baseline, not a total.
    expect(reading(d.decode(hex('10 19 28 46 8d 20 ff 34'), T0 + 5000)).metrics.distance).toBe(150);
    expect(reading(d.decode(hex('10 19 28 50 8d 20 ff 34'), T0 + 6000)).metrics.distance).toBe(160);
  });

  it('reads page 0x19 trainer data with 12-bit power and status nibbles', () => {
    const d = createDecoder({ transport: 'ant', deviceType: 17 });
    expect(reading(d.decode(hex('19 01 55 c8 00 c8 00 30'), T0)).metrics).toEqual({ cadence: 85, power: 200 });
    const r = reading(d.decode(hex('19 02 5a 00 00 e8 13 31'), T0));
    expect(r.metrics).toEqual({ cadence: 90, power: 1000 });
    expect(r.details).toMatchObject({
      trainerStatus: { powerCalibrationRequired: true, resistanceCalibrationRequired: false },
      targetPower: 'speed-too-low',
      feState: 'in-use',
    });
    expect(reading(d.decode(hex('19 03 ff 00 00 ff 0f 30'), T0)).metrics).toEqual({});
  });
});

describe('ANT+ Stride Speed and Distance (124)', () => {
  it('reads page 1 speed and distance and accumulates across the 256 m rollover', () => {
    const d = createDecoder({ transport: 'ant', deviceType: 124 });
    const r = reading(d.decode(hex('01 64 0a 64 83 80 20 10'), T0));
    expect(r.metrics).toEqual({ speed: 3.5, distance: 100.5 });
    expect(r.details).toMatchObject({ timeS: 10.5, updateLatencyS: 0.5 });
    expect(reading(d.decode(hex('01 64 0b 02 03 80 24 10'), T0 + 1000)).metrics).toEqual({ speed: 3.5, distance: 258 });
  });

  it('keeps distance and strides after a reconnect: the first page after reset() is a new baseline', () => {
    const d = createDecoder({ transport: 'ant', deviceType: 124 });
    d.decode(hex('01 64 0a 64 83 80 20 10'), T0); // 100.5 m, stride count 0x20
    const before = reading(d.decode(hex('01 64 0b 6e 03 80 24 10'), T0 + 1000)); // 110 m, +4 strides
    expect(before.metrics.distance).toBe(110);
    expect(before.details.strides).toBe(4);
    d.reset();
    const after = reading(d.decode(hex('01 64 0c 14 03 80 02 10'), T0 + 5000));
    expect(after.metrics.distance).toBe(110);
    expect(after.details.strides).toBe(4);
    const next = reading(d.decode(hex('01 64 0d 1e 03 80 05 10'), T0 + 6000));
    expect(next.metrics.distance).toBe(120);
    expect(next.details.strides).toBe(7);
  });

  it('reads page 2 cadence (strides/min with 1/16 fraction) and status', () => {
    const d = createDecoder({ transport: 'ant', deviceType: 124 });
    const r = reading(d.decode(hex('02 ff ff 55 83 80 ff 05'), T0));
    expect(r.metrics).toEqual({ cadence: 85.5, speed: 3.5 });
    expect(r.details.status).toEqual({ location: 'midsole', battery: 'good', health: 'ok', use: 'inactive' });
  });
});
