import { Decoder, Stream } from '@garmin/fitsdk';
import { type ImportedSample, METRIC_RANGES, type ScalarMetric, type Sport } from '@wattstream/contracts';
import { WattstreamError } from '@wattstream/platform';
import { TrainingErrorCode } from './errors.js';

/** An activity read from a FIT file: its samples in contract units, with positions when recorded. */
export interface FitActivity {
  sport: Sport;
  samples: ImportedSample[];
  /** e.g. `garmin-edge_810-3829184` from the file_id message, as an id */
  deviceId: string;
}

const SEMICIRCLE_DEG = 180 / 2 ** 31;

const invalid = (message: string) => new WattstreamError(TrainingErrorCode.FitInvalid, message, { statusCode: 422 });

/** A value inside its contract range, else undefined (a sensor glitch drops the metric, not the record). */
function inRange(metric: ScalarMetric, v: unknown): number | undefined {
  if (typeof v !== 'number' || !Number.isFinite(v)) return undefined;
  const r = METRIC_RANGES[metric];
  if (v < r.min || v > r.max) return undefined;
  return r.integer ? Math.round(v) : v;
}

function sportOf(s: unknown): Sport {
  switch (s) {
    case 'cycling':
    case 'eBiking':
      return 'cycling';
    case 'running':
    case 'trailRunning':
      return 'running';
    case 'swimming':
      return 'swimming';
    case 'walking':
    case 'hiking':
      return 'walking';
    default:
      return 'other';
  }
}

const idPart = (v: unknown) => String(v ?? '').replace(/[^A-Za-z0-9_-]/g, '_');

/**
 * Reads a FIT activity with Garmin's SDK. Refuses what is not one: a bad header, a failed CRC (a
 * truncated file), decode errors, or no record messages with a time. Speed prefers
 * `enhancedSpeed`, altitude `enhancedAltitude`; cadence adds `fractionalCadence`.
 */
export function readFitActivity(bytes: Uint8Array): FitActivity {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decoder = new Decoder(Stream.fromBuffer(buf));
  if (!decoder.isFIT()) throw invalid('the file is not a FIT file (no FIT header)');
  if (!decoder.checkIntegrity()) throw invalid('the FIT file fails its CRC check: it is truncated or corrupt');
  const { messages, errors } = decoder.read({ convertDateTimesToDates: true, includeUnknownData: false });
  if (errors.length > 0) throw invalid(`the FIT file cannot be decoded: ${errors[0]?.message ?? 'unknown error'}`);
  const fileId = messages.fileIdMesgs?.[0];
  if (fileId?.type !== undefined && fileId.type !== 'activity') {
    throw invalid(`the FIT file is a ${String(fileId.type)} file, not an activity`);
  }
  const samples: ImportedSample[] = [];
  let lastTs = Number.NEGATIVE_INFINITY;
  for (const r of messages.recordMesgs ?? []) {
    if (!(r.timestamp instanceof Date)) continue;
    const ts = r.timestamp.getTime();
    if (ts <= lastTs) continue; // a repeated or backwards time: the first one wins
    const s: ImportedSample = { ts };
    const put = (k: ScalarMetric, v: unknown) => {
      const x = inRange(k, v);
      if (x !== undefined) s[k] = x;
    };
    put('hr', r.heartRate);
    put('power', r.power);
    const frac = (r as { fractionalCadence?: number }).fractionalCadence ?? 0;
    if (typeof r.cadence === 'number') put('cadence', r.cadence + frac);
    put('speed', (r as { enhancedSpeed?: number }).enhancedSpeed ?? r.speed);
    put('distance', r.distance);
    const lat = r.positionLat;
    const lon = r.positionLong;
    if (typeof lat === 'number' && typeof lon === 'number') {
      s.lat = lat * SEMICIRCLE_DEG;
      s.lon = lon * SEMICIRCLE_DEG;
    }
    const alt = (r as { enhancedAltitude?: number }).enhancedAltitude ?? r.altitude;
    if (typeof alt === 'number' && alt >= -500 && alt <= 9000) s.altitude = alt;
    if (Object.keys(s).length < 2) continue;
    lastTs = ts;
    samples.push(s);
  }
  if (samples.length === 0) throw invalid('the FIT file has no records with a time and a value');
  const session = messages.sessionMesgs?.[0];
  const device =
    fileId === undefined
      ? 'upload'
      : [idPart(fileId.manufacturer), idPart(fileId.garminProduct ?? fileId.product), idPart(fileId.serialNumber)]
          .filter(Boolean)
          .join('-')
          .slice(0, 64) || 'upload';
  return { sport: sportOf(session?.sport ?? messages.sportMesgs?.[0]?.sport), samples, deviceId: device };
}
