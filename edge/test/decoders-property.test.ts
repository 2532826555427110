import { compile, Sample } from '@wattstream/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ANT_DEVICE_TYPES,
  BLE_CHARACTERISTICS,
  createDecoder,
  DecodeErrorCode,
  type Profile,
} from '../src/decoders/index.js';

const profiles: Profile[] = [
  ...Object.keys(BLE_CHARACTERISTICS).map((char) => ({ transport: 'ble', char }) as Profile),
  ...Object.keys(ANT_DEVICE_TYPES).map((t) => ({ transport: 'ant', deviceType: Number(t) }) as Profile),
];
const CODES = new Set<string>(Object.values(DecodeErrorCode));
const sample = compile(Sample);

describe('every decoder, on arbitrary bytes', () => {
  for (const profile of profiles) {
    const name = profile.transport === 'ble' ? `GATT 0x${profile.char}` : `ANT+ type ${profile.deviceType}`;
    it(`${name}: never throws, errors are typed, readings are valid v1 samples`, () => {
      fc.assert(
        fc.property(
          fc.array(
            fc.record({
              // ANT+ pages are 8 bytes: bias towards that length so page logic is exercised
              bytes:
                profile.transport === 'ant'
                  ? fc.oneof(fc.uint8Array({ minLength: 8, maxLength: 8 }), fc.uint8Array({ maxLength: 12 }))
                  : fc.uint8Array({ maxLength: 40 }),
              dt: fc.integer({ min: 0, max: 5000 }),
              reset: fc.boolean(),
            }),
            { minLength: 1, maxLength: 12 },
          ),
          (steps) => {
            const d = createDecoder(profile, { wheelCircumferenceMm: 2105 });
            let now = 1_764_000_000_000;
            for (const s of steps) {
              now += s.dt;
              if (s.reset && s.dt % 7 === 0) d.reset();
              const r = d.decode(s.bytes, now);
              if (!r.ok) {
                expect(CODES.has(r.error.code)).toBe(true);
                expect(r.error.message.length).toBeGreaterThan(0);
                continue;
              }
              if (Object.keys(r.reading.metrics).length > 0) {
                const v = sample.validate({ ts: now, ...r.reading.metrics });
                expect(v.ok ? 'valid' : v.error.message).toBe('valid');
              }
            }
          },
        ),
        { numRuns: 300 },
      );
    });
  }
});
