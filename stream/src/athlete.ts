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
  /**
   * Content hash (32 bits of the `ce_id`'s, 0 = unknown) of each seq in the window, at
   * `seq % (SEQ_WINDOW + 1)`: a seen seq with another content is another batch, not a redelivery.
   */
  hashes: Uint32Array;
  lastTs: number;
  /** circular buffer of the latest sample timestamps */
  recent: number[];
  recentPos: number;
}

export interface ApplyCounts {
  applied: number;
  late: number;
  /** samples ahead of their arrival by more than the allowed skew: a wrong clock, ignored */
  future: number;
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
  /**
   * A sample whose ts is more than this ahead of its arrival (the record timestamp ingest
   * stamped) is ignored: one sample from a wrong clock must not end a session and open one
   * dated tomorrow, which would make every real-time sample after it late.
   */
  maxFutureSkewMs: number;
}

/**
 * Per-athlete state: devices seen (for redelivery), the open session and its metrics, the live
 * stats counter. Kept small: a session is ~1.5 KB, a device ~400 B with its content-hash ring (see
 * bench/state-size.ts).
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
  /**
   * Trace context of the latest traced input (not in the changelog): the next stats record and
   * session event continue that trace; `statsTraced` marks it as already used by a stats record.
   */
  traceparent: string | undefined = undefined;
  statsTraced = false;

  constructor(readonly athleteId: string) {}

  /**
   * Applies one `tracking.metrics.received` record. Session boundaries in event time: a sample
   * at least `sessionGapMs` after the session's latest sample ends it and starts a new one.
   * `contentHash` is the batch's from its `ce_id` (0 when unknown): the contract's identity is
   * (athleteId, deviceId, seq, content), so only the same seq with the same content is a
   * redelivery; samples are then de-duplicated by (deviceId, ts) like the QuestDB rows.
   */
  applyBatch(
    rec: MetricsReceived,
    arrival: number,
    profile: Profile,
    profileSource: 'profile' | 'default',
    opts: AthleteOptions,
    events: SessionEvent[],
    contentHash = 0,
  ): ApplyCounts {
    const counts: ApplyCounts = { applied: 0, late: 0, future: 0, duplicateSamples: 0, duplicateBatch: false };
    const latest = arrival + opts.maxFutureSkewMs;
    let dev = this.devices.get(rec.deviceId);
    const batchMaxTs = maxTs(rec.samples, latest);
    if (dev === undefined) {
      dev = { maxSeq: rec.seq, seqMask: 0, hashes: newHashRing(), lastTs: -1, recent: [], recentPos: 0 };
      this.devices.set(rec.deviceId, dev);
      rememberHash(dev, rec.seq, contentHash);
    } else if (!acceptSeq(dev, rec.seq, batchMaxTs, contentHash)) {
      counts.duplicateBatch = true;
      counts.duplicateSamples = rec.samples.length;
      return counts;
    }
    if (arrival > this.lastArrival) this.lastArrival = arrival;
    const samples = isSorted(rec.samples) ? rec.samples : [...rec.samples].sort((a, b) => a.ts - b.ts);
    for (const s of samples) {
      if (s.ts > latest) {
        counts.future++;
        continue;
      }
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

/** The latest ts of a batch, ignoring samples after `latest` (ahead of their arrival). */
function maxTs(samples: readonly Sample[], latest: number): number {
  let m = -1;
  for (const s of samples) if (s.ts > m && s.ts <= latest) m = s.ts;
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

const HASH_SLOTS = SEQ_WINDOW + 1;

/** The content-hash ring of a device: 33 × 4 bytes, not 33 heap numbers. */
export const newHashRing = (): Uint32Array => new Uint32Array(HASH_SLOTS);

/** The 32-bit form of a `ce_id` content hash kept in the state (0 = unknown). */
export const shortHash = (contentHash: string | undefined): number =>
  contentHash === undefined ? 0 : Number.parseInt(contentHash.slice(0, 8), 16);

function rememberHash(dev: DeviceState, seq: number, hash: number): void {
  dev.hashes[seq % HASH_SLOTS] = hash;
}

/**
 * A seq already seen is a redelivery unless both contents are known and differ: then it is
 * another batch under a reused seq (an edge that lost its queue, the sensor on another edge),
 * whose samples count (each still de-duplicated by ts).
 */
function sameContent(dev: DeviceState, seq: number, hash: number): boolean {
  const seen = dev.hashes[seq % HASH_SLOTS] as number;
  return hash === 0 || seen === 0 || seen === hash;
}

/**
 * Redelivery by seq and content: a seq already seen with the same content is a duplicate. A seq
 * far below the window whose samples are newer than anything from the device means the device
 * restarted its numbering.
 */
export function acceptSeq(dev: DeviceState, seq: number, batchMaxTs: number, hash = 0): boolean {
  if (seq > dev.maxSeq) {
    const shift = seq - dev.maxSeq;
    dev.seqMask =
      shift > SEQ_WINDOW ? 0 : shift === SEQ_WINDOW ? 0x80000000 : ((dev.seqMask << shift) | (1 << (shift - 1))) >>> 0;
    dev.maxSeq = seq;
    rememberHash(dev, seq, hash);
    return true;
  }
  const d = dev.maxSeq - seq;
  if (d === 0) return !sameContent(dev, seq, hash);
  if (d <= SEQ_WINDOW) {
    const bit = 1 << (d - 1);
    if ((dev.seqMask & bit) !== 0) return !sameContent(dev, seq, hash);
    dev.seqMask = (dev.seqMask | bit) >>> 0;
    rememberHash(dev, seq, hash);
    return true;
  }
  if (batchMaxTs > dev.lastTs) {
    dev.maxSeq = seq;
    dev.seqMask = 0;
    rememberHash(dev, seq, hash);
    return true;
  }
  return false;
}
