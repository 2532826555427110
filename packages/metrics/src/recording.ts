import type { Sample } from '@wattstream/contracts';
import type { Profile } from './profile.js';
import { Session, type SessionSummaryNumbers } from './session.js';

export interface RecordingSummary extends SessionSummaryNumbers {
  /** seconds in power zones 1–7 */
  timeInPowerZones: number[];
  /** seconds in heart-rate zones 1–5 */
  timeInHrZones: number[];
}

export interface RecordingSecond {
  /** seconds since the first sample */
  offset: number;
  power: number;
  hr: number;
  cadence: number;
  speed: number;
}

/**
 * A complete recording (an uploaded activity file) through the same `Session` a live ride goes
 * through, so both get one definition of every number. Samples need not be sorted; `onSecond`
 * sees the 1 s series (NaN where a second has no value of that metric).
 */
export function summarizeRecording(
  athleteId: string,
  samples: readonly Sample[],
  profile: Profile,
  onSecond?: (s: RecordingSecond) => void,
): { sessionId: string; summary: RecordingSummary } {
  if (samples.length === 0) throw new RangeError('a recording needs at least one sample');
  const sorted = [...samples].sort((a, b) => a.ts - b.ts);
  const session = new Session(athleteId, (sorted[0] as Sample).ts, 0);
  const startSec = Math.floor(session.startTs / 1000);
  if (onSecond) {
    session.onSecond = (sec, power, hr, cadence, speed) =>
      onSecond({ offset: sec - startSec, power, hr, cadence, speed });
  }
  for (const s of sorted) session.apply(s, 'recording', profile);
  session.flush(profile);
  return {
    sessionId: session.id,
    summary: {
      ...session.summary(profile),
      timeInPowerZones: Array.from(session.totals.zones),
      timeInHrZones: Array.from(session.totals.hrZones),
    },
  };
}
