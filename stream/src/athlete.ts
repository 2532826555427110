import type { MetricsReceived, Sample } from '@wattstream/contracts';
import { type Profile, Session } from '@wattstream/metrics';

/** Seqs below a device's highest seq that are remembered exactly (a bit each). */
export const SEQ_WINDOW = 32;
/** Recent sample timestamps remembered per device, to recognise a re-sent sample under a new seq. */
export const RECENT_TS = 16;

/** Redelivery bookkeeping of one device of an athlete. */
export interface DeviceState {
  maxSeq: number;
  /** bit i set: seq maxSeq − 1 − i was seen */
  seqMask: number;
  lastTs: number;
  /** circular buffer of the latest sample timestamps */
  recent: number[];
  recentPos: number;
}

export interface ApplyCounts {
  applied: number;
  late: number;
  duplicateSamples: number;
  duplicateBatch: boolean;
}

/** What happened to an athlete's session while applying input or advancing the clock. */
export type SessionEvent =
  | { kind: 'started'; session: Session; deviceIds: string[] }
  | { kind: 'completed'; session: Session; profile: Profile; profileSource: 'profile' | 'default' };

export interface AthleteOptions {
  /** silence that ends a session, ms */
  sessionGapMs: number;
  /** allowed lateness, ms */
  latenessMs: number;
}

/**
 * Per-athlete state: devices seen (for redelivery), the open session and its metrics, the live
 * stats counter. Kept small: a session is ~1.5 KB, a device ~200 B (see bench/state-size.ts).
 */
export class AthleteState {
  devices = new Map<string, DeviceState>();
  session: Session | null = null;
  /** `tracking.stats.updated` seq, increasing for the athlete's lifetime */
  statsSeq = 0;
  /** arrival time (Kafka record timestamp) of the latest applied input */
  lastArrival = 0;
  /** event time at which the previous session ended; older samples are late */
  lastEndTs = 0;
  /** wall time of the latest stats emission (coalescing) */
  lastEmitWall = 0;

  constructor(readonly athleteId: string) {}

  /**
   * Applies one `tracking.metrics.received` record. Session boundaries in event time: a sample
   * at least `sessionGapMs` after the session's latest sample ends it and starts a new one.
   */
  applyBatch(
    rec: MetricsReceived,
    arrival: number,
    profile: Profile,
    profileSource: 'profile' | 'default',
    opts: AthleteOptions,
    events: SessionEvent[],
  ): ApplyCounts {
    const counts: ApplyCounts = { applied: 0, late: 0, duplicateSamples: 0, duplicateBatch: false };
    let dev = this.devices.get(rec.deviceId);
    const batchMaxTs = maxTs(rec.samples);
    if (dev === undefined) {
      dev = { maxSeq: rec.seq, seqMask: 0, lastTs: -1, recent: [], recentPos: 0 };
      this.devices.set(rec.deviceId, dev);
    } else if (!acceptSeq(dev, rec.seq, batchMaxTs)) {
      counts.duplicateBatch = true;
      counts.duplicateSamples = rec.samples.length;
      return counts;
    }
    if (arrival > this.lastArrival) this.lastArrival = arrival;
    const samples = isSorted(rec.samples) ? rec.samples : [...rec.samples].sort((a, b) => a.ts - b.ts);
    for (const s of samples) {
      if (s.ts <= dev.lastTs && dev.recent.includes(s.ts)) {
        counts.duplicateSamples++;
        continue;
      }
      remember(dev, s.ts);
      if (s.ts <= this.lastEndTs) {
        counts.late++;
        continue;
      }
      let session = this.session;
      if (session !== null && s.ts - session.maxTs >= opts.sessionGapMs) {
        this.complete(profile, profileSource, events);
        session = null;
      }
      if (session === null) {
        session = new Session(this.athleteId, s.ts, opts.latenessMs);
        this.session = session;
        events.push({ kind: 'started', session, deviceIds: [rec.deviceId] });
      }
      if (session.apply(s, rec.deviceId, profile)) counts.applied++;
      else counts.late++;
    }
    return counts;
  }

  /** Ends the open session: commits its open bins and reports it. */
  complete(profile: Profile, profileSource: 'profile' | 'default', events: SessionEvent[]): void {
    const session = this.session;
    if (session === null) return;
    session.flush(profile);
    this.lastEndTs = session.maxTs;
    this.session = null;
    events.push({ kind: 'completed', session, profile, profileSource });
  }
}

function maxTs(samples: readonly Sample[]): number {
  let m = -1;
  for (const s of samples) if (s.ts > m) m = s.ts;
  return m;
}

function isSorted(samples: readonly Sample[]): boolean {
  for (let i = 1; i < samples.length; i++) if ((samples[i] as Sample).ts < (samples[i - 1] as Sample).ts) return false;
  return true;
}

function remember(dev: DeviceState, ts: number): void {
  if (dev.recent.length < RECENT_TS) dev.recent.push(ts);
  else dev.recent[dev.recentPos] = ts;
  dev.recentPos = (dev.recentPos + 1) % RECENT_TS;
  if (ts > dev.lastTs) dev.lastTs = ts;
}

/**
 * Redelivery by seq: a seq already seen is a duplicate. A seq far below the window whose samples
 * are newer than anything from the device means the device restarted its numbering.
 */
export function acceptSeq(dev: DeviceState, seq: number, batchMaxTs: number): boolean {
  if (seq > dev.maxSeq) {
    const shift = seq - dev.maxSeq;
    dev.seqMask =
      shift > SEQ_WINDOW ? 0 : shift === SEQ_WINDOW ? 0x80000000 : ((dev.seqMask << shift) | (1 << (shift - 1))) >>> 0;
    dev.maxSeq = seq;
    return true;
  }
  const d = dev.maxSeq - seq;
  if (d === 0) return false;
  if (d <= SEQ_WINDOW) {
    const bit = 1 << (d - 1);
    if ((dev.seqMask & bit) !== 0) return false;
    dev.seqMask = (dev.seqMask | bit) >>> 0;
    return true;
  }
  if (batchMaxTs > dev.lastTs) {
    dev.maxSeq = seq;
    dev.seqMask = 0;
    return true;
  }
  return false;
}
