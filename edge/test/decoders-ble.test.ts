import { describe, expect, it } from 'vitest';
import {
  createDecoder,
  DecodeErrorCode,
  decodeBatteryLevel,
  decodeHeartRateMeasurement,
  decodeIndoorBikeData,
  decodeRscMeasurement,
  parseCharacteristic,
} from '../src/decoders/index.js';
import { safely, Truncated } from '../src/decoders/reader.js';
import { hex, reading } from './helpers.js';

const T0 = 1_764_000_000_000;

describe('Heart Rate Measurement 0x2A37', () => {
  const decode = (h: string) => decodeHeartRateMeasurement(hex(h), null)[0];

  it('reads a uint8 heart rate and the contact bits', () => {
    expect(reading(decode('06 48'))).toEqual({ metrics: { hr: 72 }, details: { contact: 'detected' } });
    expect(reading(decode('04 00'))).toEqual({ metrics: {}, details: { contact: 'not-detected' } });
    expect(reading(decode('00 3c')).details.contact).toBe('unsupported');
  });

  it('reads RR intervals in 1/1024 s and converts them to ms', () => {
    // 0x0400 = 1024/1024 s = 1000 ms (the notification the fake binding of sensors.md §3.1 sends)
    expect(reading(decode('16 48 00 04'))).toEqual({
      metrics: { hr: 72, rr: [1000] },
      details: { contact: 'detected' },
    });
  });

  it('reads a uint16 heart rate, energy expended and several RR intervals at the right offsets', () => {
    // flags 0x19: HR uint16, energy present, RR present; 0x0154 = 340/1024 s = 332 ms, 0x0300 = 750 ms
    const r = reading(decode('19 8c 00 2c 01 54 01 00 03'));
    expect(r.metrics).toEqual({ hr: 140, rr: [332, 750] });
    expect(r.details.energyExpendedKj).toBe(300);
  });

  it('reads RR after a 16-bit heart rate (incyclist parseHrm never reads 16-bit HR)', () => {
    expect(reading(decode('11 50 00 00 04')).metrics).toEqual({ hr: 80, rr: [1000] });
  });

  it('ignores a trailing odd byte after RR intervals', () => {
    expect(reading(decode('10 48 00 04 05')).metrics).toEqual({ hr: 72, rr: [1000] });
  });

  it('drops implausible RR intervals and keeps the others', () => {
    // 0x0066 = 102/1024 s ≈ 100 ms: below the 200 ms floor of the contract
    const r = reading(decode('10 48 66 00 00 04'));
    expect(r.metrics.rr).toEqual([1000]);
    expect(r.details.outOfRange).toEqual({ rr: [100] });
  });

  it('returns a typed error on truncated input', () => {
    const r = decode('01 48');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe(DecodeErrorCode.Truncated);
      expect(r.error.message).toContain('heart rate (uint16)');
    }
    expect(decode('').ok).toBe(false);
    expect(decode('08 48 01').ok).toBe(false); // energy expended announced, one byte short
  });
});

describe('Cycling Power Measurement 0x2A63', () => {
  it('reads instantaneous power as sint16 (negative is clamped to 0 and kept in details)', () => {
    const d = createDecoder({ transport: 'ble', char: '2a63' });
    expect(reading(d.decode(hex('00 00 fa 00'), T0)).metrics).toEqual({ power: 250 });
    const neg = reading(d.decode(hex('00 00 f6 ff'), T0));
    expect(neg.metrics).toEqual({ power: 0 });
    expect(neg.details.negativePowerW).toBe(-10);
  });

  it('reads every optional field in spec order (flags 0x1FFF)', () => {
    const d = createDecoder({ transport: 'ble', char: '2a63' });
    const first = reading(
      d.decode(
        hex('ff 1f 2c 01 64 40 06 10 27 00 00 00 08 05 00 00 04 2c 01 9c ff 40 06 e0 ff b4 80 16 0a 00 5e 01 7b 00'),
        T0,
      ),
    );
    expect(first.metrics).toEqual({ power: 300, distance: 0 });
    expect(first.details).toEqual({
      pedalPowerBalancePercent: 50,
      balanceReference: 'left',
      accumulatedTorqueNm: 50,
      torqueSource: 'crank',
      maxForceN: 300,
      minForceN: -100,
      maxTorqueNm: 50,
      minTorqueNm: -1,
      maxAngleDeg: 180,
      minAngleDeg: 360,
      topDeadSpotAngleDeg: 10,
      bottomDeadSpotAngleDeg: 350,
      accumulatedEnergyKj: 123,
      offsetCompensationIndicator: true,
    });
    // 2 s later: +4 wheel revs (wheel time in 1/2048 s: +4096), +3 crank revs (crank time 1/1024 s: +2048)
    const second = reading(
      d.decode(
        hex('ff 1f 2c 01 64 40 06 14 27 00 00 00 18 08 00 00 0c 2c 01 9c ff 40 06 e0 ff b4 80 16 0a 00 5e 01 7b 00'),
        T0 + 2000,
      ),
    );
    // speed = 4 × 2.105 m / 2 s (GoldenCheetah's 1/1024 would double it); cadence = 3 revs / 2 s
    expect(second.metrics).toEqual({ power: 300, speed: 4.21, distance: 8.42, cadence: 90 });
  });

  it('skips the balance byte when unknown (0xFF) yet keeps later offsets', () => {
    const d = createDecoder({ transport: 'ble', char: '2a63' });
    const r = reading(d.decode(hex('01 08 c8 00 ff 7b 00'), T0));
    expect(r.details).toEqual({ accumulatedEnergyKj: 123 });
  });

  it('computes cadence across the uint16 rollover of revolutions and event time', () => {
    const d = createDecoder({ transport: 'ble', char: '2a63' });
    d.decode(hex('20 00 c8 00 ff ff e8 fd'), T0); // revs 65535, time 65000
    // revs 1 (Δ2), time 1000 (Δ1536 = 1.5 s) → 80 rpm
    expect(reading(d.decode(hex('20 00 c8 00 01 00 e8 03'), T0 + 1500)).metrics.cadence).toBe(80);
  });

  it('holds cadence while the crank event time is unchanged, then reports 0 once stale', () => {
    const d = createDecoder({ transport: 'ble', char: '2a63' }, { staleMs: 2000 });
    d.decode(hex('20 00 c8 00 0a 00 00 04'), T0);
    expect(reading(d.decode(hex('20 00 c8 00 0b 00 00 08'), T0 + 1000)).metrics.cadence).toBe(60);
    expect(reading(d.decode(hex('20 00 c8 00 0b 00 00 08'), T0 + 1500)).metrics.cadence).toBe(60);
    expect(reading(d.decode(hex('20 00 c8 00 0b 00 00 08'), T0 + 3000)).metrics.cadence).toBe(0);
  });

  it('takes a new baseline after reset() so restarted counters never give a bogus cadence', () => {
    const d = createDecoder({ transport: 'ble', char: '2a63' });
    d.decode(hex('20 00 c8 00 e8 03 00 40'), T0);
    d.reset(); // reconnect: the sensor restarts at revs 0
    expect(reading(d.decode(hex('20 00 c8 00 00 00 f4 01'), T0 + 5000)).metrics).toEqual({ power: 200 });
    expect(reading(d.decode(hex('20 00 c8 00 01 00 f4 05'), T0 + 6000)).metrics.cadence).toBe(60);
  });

  it('treats an implausible jump as a counter reset even without reset()', () => {
    const d = createDecoder({ transport: 'ble', char: '2a63' });
    d.decode(hex('20 00 c8 00 e8 03 00 40'), T0); // revs 1000
    const r = reading(d.decode(hex('20 00 c8 00 00 00 f4 01'), T0 + 1000)); // revs 0: Δ 64536 revs
    expect(r.metrics.cadence).toBeUndefined();
    expect(r.details.crankCounterReset).toBe(true);
  });

  it('reports a truncated optional field by name', () => {
    const r = createDecoder({ transport: 'ble', char: '2a63' }).decode(hex('20 00 c8 00 01 00'), T0);
    expect(r).toMatchObject({ ok: false, error: { code: DecodeErrorCode.Truncated } });
    if (!r.ok) expect(r.error.message).toContain('last crank event time');
  });
});

describe('CSC Measurement 0x2A5B', () => {
  it('computes speed, distance and cadence from two measurements (times in 1/1024 s)', () => {
    const d = createDecoder({ transport: 'ble', char: '2a5b' }, { wheelCircumferenceMm: 2105 });
    expect(reading(d.decode(hex('03 0a 00 00 00 00 04 05 00 00 04'), T0)).metrics).toEqual({ distance: 0 });
    const r = reading(d.decode(hex('03 0e 00 00 00 00 0c 07 00 00 0c'), T0 + 2000));
    expect(r.metrics).toEqual({ speed: 4.21, distance: 8.42, cadence: 60 });
  });

  it('uses the wheel circumference option', () => {
    const d = createDecoder({ transport: 'ble', char: '2a5b' }, { wheelCircumferenceMm: 2000 });
    d.decode(hex('01 0a 00 00 00 00 04'), T0);
    expect(reading(d.decode(hex('01 0c 00 00 00 00 08'), T0 + 1000)).metrics).toEqual({ speed: 4, distance: 4 });
  });

  it('survives the 64 s rollover of the event time', () => {
    const d = createDecoder({ transport: 'ble', char: '2a5b' }, { wheelCircumferenceMm: 2048 });
    d.decode(hex('01 64 00 00 00 00 fe'), T0); // time 0xFE00 = 65024
    // time 0x0200 = 512 → Δ 1024 ticks = 1 s; Δ 3 revs × 2.048 m
    expect(reading(d.decode(hex('01 67 00 00 00 00 02'), T0 + 1000)).metrics.speed).toBe(6.144);
  });

  it('reads wheel revolutions as uint32 (OpenTracks: 65535 + 16777216)', () => {
    const d = createDecoder({ transport: 'ble', char: '2a5b' }, { wheelCircumferenceMm: 2000 });
    d.decode(hex('01 ff ff 00 01 00 04'), T0); // 0x0100FFFF
    expect(reading(d.decode(hex('01 01 00 01 01 00 08'), T0 + 1000)).metrics).toEqual({ speed: 4, distance: 4 });
  });

  it('never reports a negative speed after a reconnect resets the wheel counter', () => {
    const d = createDecoder({ transport: 'ble', char: '2a5b' }, { wheelCircumferenceMm: 2000 });
    d.decode(hex('01 e8 03 00 00 00 04'), T0); // 1000 revs
    d.decode(hex('01 ea 03 00 00 00 08'), T0 + 1000); // +2 revs → 4 m
    d.reset();
    const after = reading(d.decode(hex('01 00 00 00 00 00 01'), T0 + 9000));
    expect(after.metrics).toEqual({ distance: 4 }); // baseline, distance kept monotonic
    const next = reading(d.decode(hex('01 02 00 00 00 00 05'), T0 + 10_000));
    expect(next.metrics).toEqual({ speed: 4, distance: 8 });
    // Same without reset(): the decrease is taken as a reset, never as a negative or huge speed.
    const e = createDecoder({ transport: 'ble', char: '2a5b' });
    e.decode(hex('01 e8 03 00 00 00 04'), T0);
    const r = reading(e.decode(hex('01 00 00 00 00 00 08'), T0 + 1000));
    expect(r.metrics.speed).toBeUndefined();
    expect(r.details.wheelCounterReset).toBe(true);
  });

  it('reports cadence 0 after the crank event time stays unchanged for staleMs', () => {
    const d = createDecoder({ transport: 'ble', char: '2a5b' }, { staleMs: 2000 });
    d.decode(hex('02 0a 00 00 04'), T0);
    expect(reading(d.decode(hex('02 0b 00 00 08'), T0 + 1000)).metrics.cadence).toBe(60);
    expect(reading(d.decode(hex('02 0b 00 00 08'), T0 + 2500)).metrics.cadence).toBe(60);
    expect(reading(d.decode(hex('02 0b 00 00 08'), T0 + 3000)).metrics.cadence).toBe(0);
  });

  it('returns a typed error for a truncated crank block', () => {
    expect(createDecoder({ transport: 'ble', char: '2a5b' }).decode(hex('02 0a 00 00'), T0)).toMatchObject({
      ok: false,
      error: { code: DecodeErrorCode.Truncated },
    });
  });
});

describe('RSC Measurement 0x2A53', () => {
  const decode = (h: string) => decodeRscMeasurement(hex(h), null)[0];
  it('reads speed (1/256 m/s), cadence (steps → strides/min), stride length and distance', () => {
    const r = reading(decode('07 00 03 b4 96 00 e8 03 00 00'));
    expect(r.metrics).toEqual({ speed: 3, cadence: 90, distance: 100 });
    expect(r.details).toEqual({ stepsPerMinute: 180, strideLengthM: 1.5, motion: 'running' });
  });
  it('reads the minimal walking form (flag bit0 is stride length, not zwack’s 2·i)', () => {
    expect(reading(decode('00 80 01 78'))).toEqual({
      metrics: { speed: 1.5, cadence: 60 },
      details: { stepsPerMinute: 120, motion: 'walking' },
    });
    expect(reading(decode('02 80 01 78 e8 03 00 00')).metrics.distance).toBe(100);
  });
  it('returns a typed error when total distance is announced but missing', () => {
    expect(decode('02 80 01 78 e8 03')).toMatchObject({ ok: false, error: { code: DecodeErrorCode.Truncated } });
  });
});

describe('Indoor Bike Data 0x2AD2', () => {
  const decode = (h: string) => decodeIndoorBikeData(hex(h), null)[0];
  it('reads speed when More Data (bit 0) is 0 — the inverted flag', () => {
    const r = reading(decode('44 00 d0 07 b4 00 c8 00'));
    expect(r.metrics).toEqual({ speed: 5.556, cadence: 90, power: 200 });
    expect(r.details.moreData).toBe(false);
  });
  it('has no speed field when More Data is 1', () => {
    const r = reading(decode('45 00 b4 00 c8 00'));
    expect(r.metrics).toEqual({ cadence: 90, power: 200 });
    expect(r.details.moreData).toBe(true);
  });
  it('reads every field in order (flags 0x1FFE)', () => {
    const r = reading(
      decode('fe 1f d0 07 a0 0f b4 00 a0 00 10 27 00 0a 00 c8 00 96 00 2c 01 58 02 0a 8c 2d 3c 00 10 0e'),
    );
    expect(r.metrics).toEqual({ speed: 5.556, cadence: 90, distance: 10000, power: 200, hr: 140 });
    expect(r.details).toEqual({
      moreData: false,
      averageSpeedMps: 11.111,
      averageCadenceRpm: 80,
      resistanceLevel: 10,
      averagePowerW: 150,
      totalEnergyKcal: 300,
      energyPerHourKcal: 600,
      energyPerMinuteKcal: 10,
      metabolicEquivalent: 4.5,
      elapsedTimeS: 60,
      remainingTimeS: 3600,
    });
  });
  it('omits "not available" values (all ones)', () => {
    expect(reading(decode('40 00 ff ff ff 7f')).metrics).toEqual({});
  });
  it('returns a typed error naming the truncated field', () => {
    const r = decode('04 00 b4');
    expect(r).toMatchObject({ ok: false, error: { code: DecodeErrorCode.Truncated } });
    if (!r.ok) expect(r.error.message).toContain('instantaneous speed');
  });
});

describe('Battery Level 0x2A19', () => {
  it('reads a percentage into details', () => {
    expect(reading(decodeBatteryLevel(hex('5a'), null)[0])).toEqual({ metrics: {}, details: { batteryPercent: 90 } });
    expect(decodeBatteryLevel(hex(''), null)[0]).toMatchObject({
      ok: false,
      error: { code: DecodeErrorCode.Truncated },
    });
  });
});

describe('parseCharacteristic', () => {
  it('accepts short, 0x-prefixed and full base UUIDs', () => {
    expect(parseCharacteristic('2A37')).toBe('2a37');
    expect(parseCharacteristic('0x2ad2')).toBe('2ad2');
    expect(parseCharacteristic('00002a63-0000-1000-8000-00805f9b34fb')).toBe('2a63');
    expect(parseCharacteristic('2a38')).toBeUndefined();
  });
});

describe('safely()', () => {
  it('turns a truncated payload into a typed error but lets a bug through', () => {
    const [r] = safely('s', () => {
      throw new Truncated('flags', 1, 0);
    });
    expect(r).toMatchObject({ ok: false, error: { code: 'WS_EDGE_DECODE_TRUNCATED' } });
    expect(() =>
      safely('s', () => {
        throw new TypeError('cannot read properties of undefined');
      }),
    ).toThrow(TypeError);
  });
});
