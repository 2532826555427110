import type { Sample } from '@wattstream/contracts';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PROFILE, type Profile, summarizeRecording } from '../src/index.js';

const T0 = 1_764_000_000_000;
const profile: Profile = { ...DEFAULT_PROFILE, ftp: 250, lthr: 170 };

describe('summarizeRecording', () => {
  it('summarises a steady hour: NP equals the mean, TSS = hours × IF² × 100, every second in one zone', () => {
    const samples: Sample[] = Array.from({ length: 3600 }, (_, i) => ({
      ts: T0 + i * 1000,
      power: 200,
      hr: 150,
      speed: 10,
    }));
    const seconds: number[] = [];
    const { sessionId, summary } = summarizeRecording('a1', samples, profile, (s) => seconds.push(s.offset));
    expect(sessionId).toBe(`a1:${T0}`);
    expect(summary.avgPower).toBe(200);
    expect(summary.normalizedPower).toBe(200);
    expect(summary.intensity).toBe(0.8);
    expect(summary.load).toBe(64);
    expect(summary.kj).toBe(720);
    expect(summary.distanceM).toBe(36_000);
    expect(summary.movingS).toBe(3600);
    expect(summary.timeInPowerZones).toEqual([0, 0, 3600, 0, 0, 0, 0]); // 80 % of FTP: zone 3
    expect(summary.timeInHrZones).toEqual([0, 3600, 0, 0, 0]); // 88 % of LTHR: zone 2
    expect(seconds.length).toBe(3600);
    expect(seconds.at(-1)).toBe(3599);
  });

  it('gives the same numbers for shuffled input and honours custom zone bounds', () => {
    const samples: Sample[] = Array.from({ length: 120 }, (_, i) => ({ ts: T0 + i * 500, power: i % 2 ? 300 : 100 }));
    const a = summarizeRecording('a1', samples, profile).summary;
    const b = summarizeRecording('a1', [...samples].reverse(), profile).summary;
    expect(b).toEqual(a);
    const custom = summarizeRecording('a1', samples, { ...profile, powerZoneBounds: [0.9, 1, 1.1, 1.2, 1.3, 1.4] });
    expect(custom.summary.timeInPowerZones[0]).toBe(60); // 200 W at FTP 250 is below 90 %
  });
});
