import type { Sport } from '@wattstream/contracts';
import type { Second } from '../store/history.js';
import { totalsOf } from './totals.js';
import { esc, xmlTime } from './xml.js';

const NS = 'http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2';
const NS_AX = 'http://www.garmin.com/xmlschemas/ActivityExtension/v2';

/**
 * A Training Center XML (TCX v2) activity: one lap over the ride, a trackpoint per second. Element
 * order follows TrainingCenterDatabasev2.xsd (Time, Position, AltitudeMeters, DistanceMeters,
 * HeartRateBpm, Cadence, Extensions); power and speed go in the ActivityExtension v2 TPX element.
 */
export function encodeTcx(rows: readonly Second[], sport: Sport = 'cycling'): string {
  const t = totalsOf(rows);
  const tcxSport = sport === 'cycling' ? 'Biking' : sport === 'running' ? 'Running' : 'Other';
  const id = xmlTime(t.start);
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<TrainingCenterDatabase xmlns="${NS}" xmlns:ns3="${NS_AX}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="${NS} http://www.garmin.com/xmlschemas/TrainingCenterDatabasev2.xsd">`,
    '  <Activities>',
    `    <Activity Sport="${tcxSport}">`,
    `      <Id>${id}</Id>`,
    `      <Lap StartTime="${id}">`,
    `        <TotalTimeSeconds>${t.elapsedS}</TotalTimeSeconds>`,
    `        <DistanceMeters>${t.distanceM.toFixed(2)}</DistanceMeters>`,
    ...(t.maxSpeed === null ? [] : [`        <MaximumSpeed>${t.maxSpeed}</MaximumSpeed>`]),
    '        <Calories>0</Calories>',
    ...(t.avgHr === null
      ? []
      : [`        <AverageHeartRateBpm><Value>${Math.round(t.avgHr)}</Value></AverageHeartRateBpm>`]),
    ...(t.maxHr === null ? [] : [`        <MaximumHeartRateBpm><Value>${t.maxHr}</Value></MaximumHeartRateBpm>`]),
    '        <Intensity>Active</Intensity>',
    ...(t.avgCadence === null ? [] : [`        <Cadence>${Math.min(254, Math.round(t.avgCadence))}</Cadence>`]),
    '        <TriggerMethod>Manual</TriggerMethod>',
    '        <Track>',
  ];
  for (const r of rows) {
    const p = ['          <Trackpoint>', `            <Time>${xmlTime(r.ts)}</Time>`];
    if (r.lat !== null && r.lon !== null) {
      p.push(
        `            <Position><LatitudeDegrees>${r.lat}</LatitudeDegrees><LongitudeDegrees>${r.lon}</LongitudeDegrees></Position>`,
      );
    }
    if (r.altitude !== null) p.push(`            <AltitudeMeters>${r.altitude}</AltitudeMeters>`);
    if (r.distance !== null) p.push(`            <DistanceMeters>${r.distance}</DistanceMeters>`);
    if (r.hr !== null) p.push(`            <HeartRateBpm><Value>${r.hr}</Value></HeartRateBpm>`);
    if (r.cadence !== null) p.push(`            <Cadence>${Math.min(254, r.cadence)}</Cadence>`);
    if (r.power !== null || r.speed !== null) {
      const tpx = [
        ...(r.speed === null ? [] : [`<ns3:Speed>${r.speed}</ns3:Speed>`]),
        ...(r.power === null ? [] : [`<ns3:Watts>${r.power}</ns3:Watts>`]),
      ].join('');
      p.push(`            <Extensions><ns3:TPX>${tpx}</ns3:TPX></Extensions>`);
    }
    p.push('          </Trackpoint>');
    out.push(...p);
  }
  out.push(
    '        </Track>',
    '      </Lap>',
    `      <Creator xsi:type="Device_t"><Name>${esc('wattstream')}</Name><UnitId>0</UnitId><ProductID>0</ProductID><Version><VersionMajor>1</VersionMajor><VersionMinor>0</VersionMinor></Version></Creator>`,
    '    </Activity>',
    '  </Activities>',
    '</TrainingCenterDatabase>',
    '',
  );
  return out.join('\n');
}
