import { readFileSync } from 'node:fs';
import { Decoder, Stream } from '@garmin/fitsdk';
import { type Sample, WattstreamError } from '@wattstream/contracts';
import { ReadingBuilder } from './decoders/normalize.js';
import { EdgeErrorCode } from './errors.js';

/** Samples of a FIT activity's record messages, in file order, in contract v1 units. */
export interface FitRecords {
  samples: Sample[];
  /** Records without any usable metric (GPS-only, pauses). */
  skipped: number;
}

/**
 * Reads a FIT file with Garmin's SDK (header and file CRC checked). Speed prefers
 * `enhancedSpeed` (m/s), cadence adds `fractionalCadence`; values outside the v1 ranges are
 * dropped the same way sensor readings are.
 */
export function readFitRecords(bytes: Uint8Array, name = 'FIT file'): FitRecords {
  const stream = Stream.fromByteArray(Array.from(bytes));
  const decoder = new Decoder(stream);
  if (!decoder.isFIT()) throw new WattstreamError(EdgeErrorCode.FitInvalid, `${name} is not a FIT file`);
  if (!decoder.checkIntegrity()) {
    throw new WattstreamError(EdgeErrorCode.FitInvalid, `${name} fails the FIT CRC check (truncated or corrupt)`);
  }
  const { messages, errors } = decoder.read({ convertDateTimesToDates: true });
  if (errors.length > 0 && !messages.recordMesgs?.length) {
    throw new WattstreamError(EdgeErrorCode.FitInvalid, `${name} cannot be decoded: ${errors[0]!.message}`);
  }
  const samples: Sample[] = [];
  let skipped = 0;
  let lastTs = -Infinity;
  for (const r of messages.recordMesgs ?? []) {
    const when = r.timestamp instanceof Date ? r.timestamp.getTime() : undefined;
    if (when === undefined || when <= lastTs) {
      skipped++;
      continue;
    }
    const b = new ReadingBuilder();
    b.set('hr', r.heartRate);
    b.set('power', r.power);
    const frac = (r as { fractionalCadence?: number }).fractionalCadence ?? 0;
    if (r.cadence !== undefined) b.set('cadence', r.cadence + frac);
    b.set('speed', (r as { enhancedSpeed?: number }).enhancedSpeed ?? r.speed);
    b.set('distance', r.distance);
    const { metrics } = b.build();
    if (Object.keys(metrics).length === 0) {
      skipped++;
      continue;
    }
    lastTs = when;
    samples.push({ ts: when, ...metrics });
  }
  return { samples, skipped };
}

export function readFitFile(path: string): FitRecords {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new WattstreamError(EdgeErrorCode.FitInvalid, `cannot read ${path}: ${(err as Error).message}`);
  }
  return readFitRecords(bytes, path);
}

export interface ReplayOptions {
  /** Playback speed: 1 = original timing, 10 = ten times faster, 0 = no waiting at all. */
  speed: number;
  /** Keep the file's timestamps instead of rebasing the first record to now. */
  originalTimestamps?: boolean;
  signal?: AbortSignal;
}

/**
 * Plays records back in their original rhythm (divided by `speed`). By default timestamps are
 * rebased so the first record is "now" and later ones follow at the playback pace — the live
 * pipeline then sees fresh data; each ts is kept strictly increasing (≥ previous + 1 ms) so
 * records never merge. With `originalTimestamps` the file's own times are sent.
 */
export async function replay(
  records: Sample[],
  push: (s: Sample) => void,
  opts: ReplayOptions,
): Promise<{ sent: number }> {
  if (records.length === 0) return { sent: 0 };
  const first = records[0]!.ts;
  const start = Date.now();
  let lastTs = -Infinity;
  let sent = 0;
  for (const rec of records) {
    if (opts.signal?.aborted) break;
    const offset = opts.speed > 0 ? (rec.ts - first) / opts.speed : 0;
    const wait = start + offset - Date.now();
    if (wait > 5) await new Promise((r) => setTimeout(r, wait));
    let ts = opts.originalTimestamps ? rec.ts : Math.round(start + offset);
    if (ts <= lastTs) ts = lastTs + 1;
    lastTs = ts;
    push({ ...rec, ts });
    sent++;
  }
  return { sent };
}
