import {
  type ActivityMesg,
  Encoder,
  type EventMesg,
  type FileIdMesg,
  type LapMesg,
  Profile,
  type RecordMesg,
  type SessionMesg,
} from '@garmin/fitsdk';
import type { Sport } from '@wattstream/contracts';
import type { Second } from '../store/history.js';
import { totalsOf } from './totals.js';

const SEMI = 2 ** 31 / 180;
const opt = <K extends string>(k: K, v: number | null) => (v === null ? {} : ({ [k]: v } as Record<K, number>));

/**
 * A FIT activity file (Garmin's encoder): file_id, a start event, one record per second, one lap
 * and one session over the whole ride, a stop event and the activity message.
 */
export function encodeFit(rows: readonly Second[], sport: Sport = 'cycling'): Uint8Array {
  const t = totalsOf(rows);
  const start = new Date(t.start);
  const end = new Date(t.end);
  const enc = new Encoder();
  const fileId: FileIdMesg = {
    type: 'activity',
    manufacturer: 'development',
    product: 1,
    serialNumber: 1,
    timeCreated: start,
  };
  enc.writeMesg({ ...fileId, mesgNum: Profile.MesgNum.FILE_ID! });
  const event = (timestamp: Date, eventType: EventMesg['eventType']) =>
    enc.writeMesg({
      ...({ timestamp, event: 'timer', eventType } satisfies EventMesg),
      mesgNum: Profile.MesgNum.EVENT!,
    });
  event(start, 'start');
  for (const r of rows) {
    const rec: RecordMesg = {
      timestamp: new Date(r.ts),
      ...opt('power', r.power),
      ...opt('heartRate', r.hr),
      ...opt('cadence', r.cadence),
      ...opt('speed', r.speed),
      ...opt('distance', r.distance),
      ...(r.lat !== null && r.lon !== null
        ? { positionLat: Math.round(r.lat * SEMI), positionLong: Math.round(r.lon * SEMI) }
        : {}),
      ...opt('altitude', r.altitude),
    };
    enc.writeMesg({ ...rec, mesgNum: Profile.MesgNum.RECORD! });
  }
  event(end, 'stopAll');
  const totals = {
    startTime: start,
    totalElapsedTime: t.elapsedS,
    totalTimerTime: t.elapsedS,
    totalDistance: t.distanceM,
    ...opt('totalWork', t.workJ > 0 ? t.workJ : null),
    ...opt('avgPower', t.avgPower === null ? null : Math.round(t.avgPower)),
    ...opt('maxPower', t.maxPower),
    ...opt('avgHeartRate', t.avgHr === null ? null : Math.round(t.avgHr)),
    ...opt('maxHeartRate', t.maxHr),
    ...opt('avgCadence', t.avgCadence === null ? null : Math.round(t.avgCadence)),
  };
  const lap: LapMesg = { timestamp: end, event: 'lap', eventType: 'stop', ...totals };
  enc.writeMesg({ ...lap, mesgNum: Profile.MesgNum.LAP! });
  const session: SessionMesg = {
    timestamp: end,
    event: 'session',
    eventType: 'stop',
    sport: sport === 'other' ? 'generic' : sport,
    firstLapIndex: 0,
    numLaps: 1,
    ...totals,
  };
  enc.writeMesg({ ...session, mesgNum: Profile.MesgNum.SESSION! });
  const activity: ActivityMesg = {
    timestamp: end,
    numSessions: 1,
    type: 'manual',
    event: 'activity',
    eventType: 'stop',
    totalTimerTime: t.elapsedS,
  };
  enc.writeMesg({ ...activity, mesgNum: Profile.MesgNum.ACTIVITY! });
  return enc.close();
}
