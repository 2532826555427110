import type { Sport } from '@wattstream/contracts';
import type { Second } from '../store/history.js';
import { esc, xmlTime } from './xml.js';

const NS = 'http://www.topografix.com/GPX/1/1';
const NS_TPX = 'http://www.garmin.com/xmlschemas/TrackPointExtension/v1';

/**
 * A GPX 1.1 track of the seconds that have a position (GPX has no point without lat/lon); heart
 * rate and cadence in Garmin's TrackPointExtension v1. `null` when the session has no positions.
 */
export function encodeGpx(rows: readonly Second[], name: string, sport: Sport = 'cycling'): string | null {
  const pts = rows.filter((r) => r.lat !== null && r.lon !== null);
  if (pts.length === 0) return null;
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<gpx version="1.1" creator="wattstream" xmlns="${NS}" xmlns:gpxtpx="${NS_TPX}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="${NS} http://www.topografix.com/GPX/1/1/gpx.xsd">`,
    `  <metadata><name>${esc(name)}</name><time>${xmlTime(pts[0]!.ts)}</time></metadata>`,
    `  <trk><name>${esc(name)}</name><type>${sport}</type><trkseg>`,
  ];
  for (const r of pts) {
    const ext = [
      ...(r.hr === null ? [] : [`<gpxtpx:hr>${r.hr}</gpxtpx:hr>`]),
      ...(r.cadence === null ? [] : [`<gpxtpx:cad>${Math.min(254, r.cadence)}</gpxtpx:cad>`]),
    ].join('');
    out.push(
      `    <trkpt lat="${r.lat}" lon="${r.lon}">${r.altitude === null ? '' : `<ele>${r.altitude}</ele>`}<time>${xmlTime(r.ts)}</time>${
        ext ? `<extensions><gpxtpx:TrackPointExtension>${ext}</gpxtpx:TrackPointExtension></extensions>` : ''
      }</trkpt>`,
    );
  }
  out.push('  </trkseg></trk>', '</gpx>', '');
  return out.join('\n');
}
