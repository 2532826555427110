import { readFileSync } from 'node:fs';
import { Decoder, Stream } from '@garmin/fitsdk';
import type { Sample } from '@wattstream/contracts';
import { fitFixture } from '@wattstream/testkit';

export interface FitRecord {
  ts: number;
  power?: number;
  hr?: number;
  cadence?: number;
  speed?: number;
  distance?: number;
}

/**
 * Reads the record messages (and the device's own session summary) of a FIT activity: the real file
 * of ../shared/fixtures/fit when it is there, else the project's generated ride (testkit fitFixture).
 */
export function readFitFile(file: string): { records: FitRecord[]; session: Record<string, unknown> } {
  const { path } = fitFixture(file);
  const decoder = new Decoder(Stream.fromBuffer(readFileSync(path)));
  const { messages, errors } = decoder.read();
  if (errors.length > 0) throw new Error(`FIT decode errors: ${errors.map(String).join('; ')}`);
  const out: FitRecord[] = [];
  for (const r of messages.recordMesgs as Record<string, unknown>[]) {
    const ts = (r.timestamp as Date).getTime();
    const rec: FitRecord = { ts };
    if (typeof r.power === 'number') rec.power = r.power;
    if (typeof r.heartRate === 'number') rec.hr = r.heartRate;
    if (typeof r.cadence === 'number') rec.cadence = r.cadence;
    const speed = r.enhancedSpeed ?? r.speed;
    if (typeof speed === 'number') rec.speed = speed;
    if (typeof r.distance === 'number') rec.distance = r.distance;
    out.push(rec);
  }
  return { records: out, session: (messages.sessionMesgs?.[0] ?? {}) as Record<string, unknown> };
}

/** FIT records as contract samples (one per record; records with no metric are dropped). */
export function toSamples(records: FitRecord[]): Sample[] {
  return records.filter((r) => Object.keys(r).length > 1).map((r) => ({ ...r }));
}

/**
 * Ride totals straight from the definitions, over a FIT file's records (1 Hz), with no streaming
 * code: the independent reference the stream worker and the whole pipeline are checked against.
 */
export function rideTotals(records: FitRecord[]) {
  const bySecond = new Map<number, number[]>();
  for (const r of records) {
    if (r.power === undefined) continue;
    const sec = Math.floor(r.ts / 1000);
    bySecond.set(sec, [...(bySecond.get(sec) ?? []), r.power]);
  }
  const p = [...bySecond.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v.reduce((s, x) => s + x, 0) / v.length);
  const sum = p.reduce((s, x) => s + x, 0);
  let fourth = 0;
  let n = 0;
  for (let i = 29; i < p.length; i++) {
    const mean = p.slice(i - 29, i + 1).reduce((s, x) => s + x, 0) / 30;
    fourth += mean ** 4;
    n++;
  }
  const dist = records.filter((r) => r.distance !== undefined).map((r) => r.distance as number);
  return {
    avgPower: sum / p.length,
    normalizedPower: (fourth / n) ** 0.25,
    kj: sum / 1000,
    distanceM: dist.length > 0 ? (dist.at(-1) as number) - (dist[0] as number) : 0,
  };
}
