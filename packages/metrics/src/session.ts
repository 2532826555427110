import type { LiveMetrics, Sample } from '@wattstream/contracts';
import { hrZone, type Profile, powerZone } from './profile.js';

/**
 * One training session of one athlete: the metrics, on a 1-second time base.
 *
 * Samples (from any of the athlete's devices, in any order) land in 1-second bins. A bin is
 * committed — folded into the session totals and rolling windows — once the athlete's event time
 * has moved past it by the allowed lateness; until then a sample that arrives out of order is
 * still placed in its bin. Samples for a committed bin are late: counted and left out.
 * Live values are the committed totals plus the open bins, so nothing waits for the lateness.
 *
 * Definitions (also in the README):
 * - a bin's power, heart rate, cadence and speed are the means of the samples in that second;
 * - rolling means (3/10/30 s) are over the latest power bins, seconds without a power reading
 *   are skipped (a paused ride does not drag them to zero);
 * - normalizedPower: the 30-bin rolling mean, from the 30th bin on, raised to the 4th power,
 *   averaged, 4th root; intensity = normalizedPower / FTP; load = hours of power data ×
 *   intensity² × 100;
 * - kJ: each power bin is one second of work; avgPower: mean of the power bins;
 * - W′ balance: Skiba's differential model, integrated exactly over each second
 *   (P > CP: W′bal −= P − CP; P ≤ CP: W′bal = W′ − (W′ − W′bal)·e^(−(CP−P)/W′)); seconds without a
 *   power reading recover as at 0 W;
 * - distance: deltas of the cumulative distance of the first device that reports one; without
 *   such a device, speed × 1 s per bin;
 * - movingS: bins with speed, cadence or power above zero.
 */

/** Field offsets of a bin in the bins array. */
const B_SEC = 0;
const B_P_SUM = 1;
const B_P_N = 2;
const B_HR_SUM = 3;
const B_HR_N = 4;
const B_CAD_SUM = 5;
const B_CAD_N = 6;
const B_SPD_SUM = 7;
const B_SPD_N = 8;
const B_DIST = 9;
export const BIN_FIELDS = 10;

export const WINDOW = 30;

/** Totals and windows over committed bins. Cloned for live views, so kept flat and small. */
export class Totals {
  /** last 30 power bin values, circular */
  ring = new Float64Array(WINDOW);
  ringLen = 0;
  ringPos = 0;
  np4Sum = 0;
  npN = 0;
  /** joules */
  work = 0;
  pSum = 0;
  pN = 0;
  hrSum = 0;
  hrN = 0;
  zones = new Float64Array(7);
  /** seconds in heart-rate zones 1–5 (not part of the stream's changelog: the stream does not report them) */
  hrZones = new Float64Array(5);
  wbal = Number.NaN;
  lastPowerSec = -1;
  distance = 0;
  lastDist = Number.NaN;
  moving = 0;

  clone(): Totals {
    const t = new Totals();
    t.ring.set(this.ring);
    t.ringLen = this.ringLen;
    t.ringPos = this.ringPos;
    t.np4Sum = this.np4Sum;
    t.npN = this.npN;
    t.work = this.work;
    t.pSum = this.pSum;
    t.pN = this.pN;
    t.hrSum = this.hrSum;
    t.hrN = this.hrN;
    t.zones.set(this.zones);
    t.hrZones.set(this.hrZones);
    t.wbal = this.wbal;
    t.lastPowerSec = this.lastPowerSec;
    t.distance = this.distance;
    t.lastDist = this.lastDist;
    t.moving = this.moving;
    return t;
  }

  /** Mean of the latest `n` power bins (fewer at the start); NaN without any. */
  rolling(n: number): number {
    const k = Math.min(n, this.ringLen);
    if (k === 0) return Number.NaN;
    let sum = 0;
    for (let i = 1; i <= k; i++) sum += this.ring[(this.ringPos - i + WINDOW) % WINDOW] as number;
    return sum / k;
  }

  /** Folds one second into the totals. `dist` is the distance source's cumulative distance. */
  commit(
    sec: number,
    power: number,
    hr: number,
    cadence: number,
    speed: number,
    dist: number,
    hasDistSource: boolean,
    profile: Profile,
  ): void {
    if (!Number.isNaN(power)) {
      if (Number.isNaN(this.wbal)) this.wbal = profile.wPrime;
      if (this.lastPowerSec >= 0 && sec - this.lastPowerSec > 1) {
        this.wbalStep(0, sec - this.lastPowerSec - 1, profile);
      }
      this.wbalStep(power, 1, profile);
      this.lastPowerSec = sec;
      this.ring[this.ringPos] = power;
      this.ringPos = (this.ringPos + 1) % WINDOW;
      if (this.ringLen < WINDOW) this.ringLen++;
      if (this.ringLen === WINDOW) {
        const m = this.rolling(WINDOW);
        const m2 = m * m;
        this.np4Sum += m2 * m2;
        this.npN++;
      }
      this.work += power;
      this.pSum += power;
      this.pN++;
      (this.zones as Float64Array)[powerZone(power, profile.ftp, profile.powerZoneBounds) - 1]! += 1;
    }
    if (!Number.isNaN(hr)) {
      this.hrSum += hr;
      this.hrN++;
      (this.hrZones as Float64Array)[hrZone(hr, profile.lthr, profile.hrZoneBounds) - 1]! += 1;
    }
    if (!Number.isNaN(dist)) {
      if (!Number.isNaN(this.lastDist) && dist >= this.lastDist) this.distance += dist - this.lastDist;
      // A smaller cumulative distance means the device restarted: re-baseline, add nothing.
      this.lastDist = dist;
    } else if (!hasDistSource && !Number.isNaN(speed)) {
      this.distance += speed;
    }
    if (power > 0 || cadence > 0 || speed > 0) this.moving++;
  }

  /** Skiba's differential W′ balance over `dt` seconds at constant `power`, solved exactly. */
  private wbalStep(power: number, dt: number, p: Profile): void {
    if (power > p.cp) {
      this.wbal -= (power - p.cp) * dt;
    } else {
      this.wbal = p.wPrime - (p.wPrime - this.wbal) * Math.exp((-(p.cp - power) * dt) / p.wPrime);
    }
  }
}

export interface SessionSummaryNumbers {
  startedAt: number;
  endedAt: number;
  durationS: number;
  movingS: number;
  distanceM: number;
  avgPower: number | null;
  maxPower: number | null;
  normalizedPower: number | null;
  intensity: number | null;
  load: number | null;
  kj: number;
  avgHr: number | null;
  maxHr: number | null;
  samples: number;
}

const r1 = (x: number) => Math.round(x * 10) / 10;
const r2 = (x: number) => Math.round(x * 100) / 100;
const r3 = (x: number) => Math.round(x * 1000) / 1000;
const orNull = (x: number, round: (x: number) => number) => (!Number.isNaN(x) ? round(x) : null);

export class Session {
  readonly id: string;
  readonly startTs: number;
  maxTs: number;
  /** bins with sec ≤ committedSec are folded into `totals` */
  committedSec: number;
  readonly bins: Float64Array;
  readonly nBins: number;
  totals = new Totals();
  /** device whose cumulative distance counts */
  distDevice: string | undefined;
  lastPower = Number.NaN;
  lastPowerTs = -1;
  lastHr = Number.NaN;
  lastHrTs = -1;
  lastCadence = Number.NaN;
  lastCadenceTs = -1;
  lastSpeed = Number.NaN;
  lastSpeedTs = -1;
  maxPower = Number.NaN;
  maxHr = Number.NaN;
  samples = 0;
  /** Called with each second as it is committed for good (not for live previews): the 1 s series. */
  onSecond: ((sec: number, power: number, hr: number, cadence: number, speed: number) => void) | undefined;

  constructor(
    athleteId: string,
    startTs: number,
    readonly latenessMs: number,
  ) {
    this.id = `${athleteId}:${startTs}`;
    this.startTs = startTs;
    this.maxTs = startTs;
    this.committedSec = Math.floor(startTs / 1000) - 1;
    this.nBins = binsFor(latenessMs);
    this.bins = new Float64Array(this.nBins * BIN_FIELDS).fill(Number.NaN);
  }

  /** Applies one sample; false when it is late (its second is already committed). */
  apply(s: Sample, deviceId: string, profile: Profile): boolean {
    const ts = s.ts;
    if (ts < this.startTs) return false;
    let sec = Math.floor(ts / 1000);
    if (sec <= this.committedSec) return false;
    if (ts > this.maxTs) {
      this.maxTs = ts;
      this.commitBefore(Math.floor((ts - this.latenessMs) / 1000), profile);
      sec = Math.floor(ts / 1000);
    }
    const o = (sec % this.nBins) * BIN_FIELDS;
    const b = this.bins;
    if (b[o + B_SEC] !== sec) {
      b.fill(Number.NaN, o, o + BIN_FIELDS);
      b[o + B_SEC] = sec;
    }
    if (s.power !== undefined) {
      add(b, o + B_P_SUM, o + B_P_N, s.power);
      if (ts >= this.lastPowerTs) {
        this.lastPower = s.power;
        this.lastPowerTs = ts;
      }
      if (!(s.power <= this.maxPower)) this.maxPower = s.power;
    }
    if (s.hr !== undefined) {
      add(b, o + B_HR_SUM, o + B_HR_N, s.hr);
      if (ts >= this.lastHrTs) {
        this.lastHr = s.hr;
        this.lastHrTs = ts;
      }
      if (!(s.hr <= this.maxHr)) this.maxHr = s.hr;
    }
    if (s.cadence !== undefined) {
      add(b, o + B_CAD_SUM, o + B_CAD_N, s.cadence);
      if (ts >= this.lastCadenceTs) {
        this.lastCadence = s.cadence;
        this.lastCadenceTs = ts;
      }
    }
    if (s.speed !== undefined) {
      add(b, o + B_SPD_SUM, o + B_SPD_N, s.speed);
      if (ts >= this.lastSpeedTs) {
        this.lastSpeed = s.speed;
        this.lastSpeedTs = ts;
      }
    }
    if (s.distance !== undefined) {
      if (this.distDevice === undefined) this.distDevice = deviceId;
      if (this.distDevice === deviceId) {
        const cur = b[o + B_DIST] as number;
        if (!(cur >= s.distance)) b[o + B_DIST] = s.distance;
      }
    }
    this.samples++;
    return true;
  }

  /** Commits every open bin with sec < `horizonSec`, oldest first. */
  commitBefore(horizonSec: number, profile: Profile, totals: Totals = this.totals): void {
    const from = this.committedSec + 1;
    const to = Math.min(horizonSec - 1, Math.floor(this.maxTs / 1000));
    for (let sec = from; sec <= to; sec++) this.commitSlot(sec, profile, totals, true);
    if (horizonSec - 1 > this.committedSec) this.committedSec = horizonSec - 1;
  }

  private commitSlot(sec: number, profile: Profile, totals: Totals, clear: boolean): void {
    const o = (sec % this.nBins) * BIN_FIELDS;
    const b = this.bins;
    if (b[o + B_SEC] !== sec) return;
    const power = mean(b, o + B_P_SUM, o + B_P_N);
    const hr = mean(b, o + B_HR_SUM, o + B_HR_N);
    const cadence = mean(b, o + B_CAD_SUM, o + B_CAD_N);
    const speed = mean(b, o + B_SPD_SUM, o + B_SPD_N);
    totals.commit(sec, power, hr, cadence, speed, b[o + B_DIST] as number, this.distDevice !== undefined, profile);
    if (clear) {
      b[o + B_SEC] = Number.NaN;
      this.onSecond?.(sec, power, hr, cadence, speed);
    }
  }

  /** Totals including the open bins, without committing them. */
  private provisional(profile: Profile): Totals {
    const t = this.totals.clone();
    const last = Math.floor(this.maxTs / 1000);
    for (let sec = this.committedSec + 1; sec <= last; sec++) this.commitSlot(sec, profile, t, false);
    return t;
  }

  /** Commits everything (the session is ending). */
  flush(profile: Profile): void {
    this.commitBefore(Math.floor(this.maxTs / 1000) + 1, profile);
  }

  /** The live metrics, as on `tracking.stats.updated` and the live channel. */
  live(profile: Profile): LiveMetrics {
    const t = this.provisional(profile);
    const np = t.npN > 0 ? Math.sqrt(Math.sqrt(t.np4Sum / t.npN)) : Number.NaN;
    const intensity = np / profile.ftp;
    const p3 = t.rolling(3);
    return {
      power: orNull(this.lastPower, r1),
      power3s: orNull(p3, r1),
      power10s: orNull(t.rolling(10), r1),
      power30s: orNull(t.rolling(30), r1),
      avgPower: t.pN > 0 ? r1(t.pSum / t.pN) : null,
      maxPower: orNull(this.maxPower, r1),
      normalizedPower: orNull(np, r1),
      intensity: orNull(intensity, r3),
      load: orNull((t.pN / 3600) * intensity * intensity * 100, r1),
      kj: r2(t.work / 1000),
      hr: orNull(this.lastHr, r1),
      avgHr: t.hrN > 0 ? r1(t.hrSum / t.hrN) : null,
      maxHr: orNull(this.maxHr, r1),
      hrZone: !Number.isNaN(this.lastHr) ? hrZone(this.lastHr, profile.lthr, profile.hrZoneBounds) : null,
      powerZone: !Number.isNaN(p3) ? powerZone(p3, profile.ftp, profile.powerZoneBounds) : null,
      timeInPowerZones: Array.from(t.zones),
      wbal: !Number.isNaN(t.wbal) ? Math.round(t.wbal) : null,
      cadence: orNull(this.lastCadence, r1),
      speed: orNull(this.lastSpeed, r2),
      distance: r1(t.distance),
      elapsedS: r1((this.maxTs - this.startTs) / 1000),
      movingS: t.moving,
    };
  }

  /** The numbers of `training.completed`; call `flush` first. */
  summary(profile: Profile): SessionSummaryNumbers {
    const t = this.totals;
    const np = t.npN > 0 ? Math.sqrt(Math.sqrt(t.np4Sum / t.npN)) : Number.NaN;
    const intensity = np / profile.ftp;
    return {
      startedAt: this.startTs,
      endedAt: this.maxTs,
      durationS: (this.maxTs - this.startTs) / 1000,
      movingS: t.moving,
      distanceM: r2(t.distance),
      avgPower: t.pN > 0 ? r2(t.pSum / t.pN) : null,
      maxPower: orNull(this.maxPower, r1),
      normalizedPower: orNull(np, r2),
      intensity: orNull(intensity, r3),
      load: orNull((t.pN / 3600) * intensity * intensity * 100, r2),
      kj: r3(t.work / 1000),
      avgHr: t.hrN > 0 ? r2(t.hrSum / t.hrN) : null,
      maxHr: orNull(this.maxHr, r1),
      samples: this.samples,
    };
  }
}

/** Bins needed so that every open second has its own slot. */
export function binsFor(latenessMs: number): number {
  return Math.ceil(latenessMs / 1000) + 3;
}

function add(b: Float64Array, sumAt: number, nAt: number, v: number): void {
  const n = b[nAt] as number;
  if (!Number.isNaN(n)) {
    b[sumAt] = (b[sumAt] as number) + v;
    b[nAt] = n + 1;
  } else {
    b[sumAt] = v;
    b[nAt] = 1;
  }
}

function mean(b: Float64Array, sumAt: number, nAt: number): number {
  const n = b[nAt] as number;
  return !Number.isNaN(n) ? (b[sumAt] as number) / n : Number.NaN;
}
