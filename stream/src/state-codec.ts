import { BIN_FIELDS, binsFor, Session, Totals, WINDOW } from '@wattstream/metrics';
import { AthleteState, type DeviceState } from './athlete.js';

/**
 * The changelog format of an athlete's state (`stream.athlete.state`, `state` field, v1): plain
 * JSON arrays, NaN written as null. Only the open bins of a session are written.
 */
export const STATE_FORMAT_VERSION = 1;

type Num = number | null;
export interface EncodedState {
  q: number;
  la: number;
  le: number;
  d: [string, number, number, number, number[], number][];
  s: EncodedSession | null;
}
interface EncodedSession {
  st: number;
  mx: number;
  cs: number;
  lat: number;
  dd: string | null;
  /** last power/hr/cadence/speed and their ts, max power, max hr, samples */
  l: Num[];
  /** open bins, BIN_FIELDS each */
  b: Num[];
  /** totals: scalars, then ring, then zones */
  t: Num[];
}

/** Positions in `l` and the scalar head of `t`: one list for encode and decode, so they cannot drift. */
const SESSION_LAST = [
  'lastPower',
  'lastPowerTs',
  'lastHr',
  'lastHrTs',
  'lastCadence',
  'lastCadenceTs',
  'lastSpeed',
  'lastSpeedTs',
  'maxPower',
  'maxHr',
  'samples',
] as const satisfies readonly (keyof Session)[];
const TOTALS_SCALARS = [
  'ringLen',
  'ringPos',
  'np4Sum',
  'npN',
  'work',
  'pSum',
  'pN',
  'hrSum',
  'hrN',
  'wbal',
  'lastPowerSec',
  'distance',
  'lastDist',
  'moving',
] as const satisfies readonly (keyof Totals)[];

const n = (x: number): Num => (!Number.isNaN(x) ? x : null);
const un = (x: Num | undefined): number => (x === null || x === undefined ? Number.NaN : x);

export function encodeState(a: AthleteState): EncodedState {
  const d: EncodedState['d'] = [];
  for (const [id, dev] of a.devices) d.push([id, dev.maxSeq, dev.seqMask, dev.lastTs, dev.recent, dev.recentPos]);
  return { q: a.statsSeq, la: a.lastArrival, le: a.lastEndTs, d, s: a.session ? encodeSession(a.session) : null };
}

function encodeSession(s: Session): EncodedSession {
  const b: Num[] = [];
  for (let i = 0; i < s.nBins; i++) {
    const o = i * BIN_FIELDS;
    const sec = s.bins[o] as number;
    if (!Number.isNaN(sec) && sec > s.committedSec)
      for (let k = 0; k < BIN_FIELDS; k++) b.push(n(s.bins[o + k] as number));
  }
  const t = s.totals;
  return {
    st: s.startTs,
    mx: s.maxTs,
    cs: s.committedSec,
    lat: s.latenessMs,
    dd: s.distDevice ?? null,
    l: SESSION_LAST.map((k) => n(s[k])),
    b,
    t: [...TOTALS_SCALARS.map((k) => t[k]), ...t.ring, ...t.zones].map(n),
  };
}

export function decodeState(athleteId: string, e: EncodedState): AthleteState {
  const a = new AthleteState(athleteId);
  a.statsSeq = e.q;
  a.lastArrival = e.la;
  a.lastEndTs = e.le;
  for (const [id, maxSeq, seqMask, lastTs, recent, recentPos] of e.d) {
    const dev: DeviceState = { maxSeq, seqMask, lastTs, recent: [...recent], recentPos };
    a.devices.set(id, dev);
  }
  if (e.s) a.session = decodeSession(athleteId, e.s);
  return a;
}

function decodeSession(athleteId: string, e: EncodedSession): Session {
  const s = new Session(athleteId, e.st, e.lat);
  s.maxTs = e.mx;
  s.committedSec = e.cs;
  s.distDevice = e.dd ?? undefined;
  SESSION_LAST.forEach((k, i) => {
    s[k] = un(e.l[i]);
  });
  if (s.nBins !== binsFor(e.lat)) throw new Error('state: bin count mismatch');
  for (let i = 0; i + BIN_FIELDS <= e.b.length; i += BIN_FIELDS) {
    const sec = un(e.b[i]);
    const o = (sec % s.nBins) * BIN_FIELDS;
    for (let k = 0; k < BIN_FIELDS; k++) s.bins[o + k] = un(e.b[i + k]);
  }
  const t = new Totals();
  const v = e.t.map(un);
  TOTALS_SCALARS.forEach((k, j) => {
    t[k] = v[j] as number;
  });
  let i = TOTALS_SCALARS.length;
  for (let k = 0; k < WINDOW; k++) t.ring[k] = v[i++] as number;
  for (let k = 0; k < 7; k++) t.zones[k] = v[i++] as number;
  s.totals = t;
  return s;
}
