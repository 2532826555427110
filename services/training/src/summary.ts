import type { Session as ApiSession, ImportedSample, SessionSummary } from '@wattstream/contracts';
import { type Profile, type RecordingSummary, summarizeRecording } from '@wattstream/metrics';
import { type Segment, targetWatts } from './workouts.js';

type Compliance = NonNullable<ApiSession['compliance']>;

/** The API's summary from the shared metrics' numbers. */
export function toSummary(s: RecordingSummary, ftp: number): SessionSummary {
  return {
    durationS: s.durationS,
    movingS: s.movingS,
    distanceM: s.distanceM,
    kj: s.kj,
    avgPower: s.avgPower,
    maxPower: s.maxPower,
    normalizedPower: s.normalizedPower,
    intensity: s.intensity,
    load: s.load,
    avgHr: s.avgHr,
    maxHr: s.maxHr,
    timeInPowerZones: s.timeInPowerZones,
    timeInHrZones: s.avgHr !== null ? s.timeInHrZones : null,
    ftp,
  };
}

/**
 * Summarises a recorded activity (an upload) with the stream's own metric code, and, when it ran
 * a planned workout, the mean power of each planned segment against its target.
 */
export function summarizeActivity(
  athleteId: string,
  samples: readonly ImportedSample[],
  profile: Profile,
  plan: Segment[] | null,
): { sessionId: string; summary: SessionSummary; compliance: Compliance | null } {
  const power: number[] = [];
  const { sessionId, summary } = summarizeRecording(
    athleteId,
    samples.map(({ lat: _lat, lon: _lon, altitude: _alt, ...s }) => s),
    profile,
    (sec) => {
      power[sec.offset] = sec.power;
    },
  );
  return {
    sessionId,
    summary: toSummary(summary, profile.ftp),
    compliance: plan ? compliance(plan, power, profile.ftp) : null,
  };
}

const r1 = (x: number) => Math.round(x * 10) / 10;

/** Per planned segment: its target and the mean of the seconds of power recorded in it. */
export function compliance(plan: Segment[], power: readonly (number | undefined)[], ftp: number): Compliance {
  return plan.map((seg, index) => {
    let sum = 0;
    let n = 0;
    for (let t = seg.startS; t < seg.startS + seg.durationS; t++) {
      const p = power[t];
      if (p !== undefined && !Number.isNaN(p)) {
        sum += p;
        n++;
      }
    }
    const target = targetWatts(seg, ftp);
    const actual = n > 0 ? r1(sum / n) : null;
    return {
      index,
      kind: seg.kind,
      startS: seg.startS,
      durationS: seg.durationS,
      targetWatts: target === null ? null : r1(target),
      actualWatts: actual,
      ratio: target !== null && actual !== null && target > 0 ? Math.round((actual / target) * 1000) / 1000 : null,
    };
  });
}
