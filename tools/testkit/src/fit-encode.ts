import { Encoder, type Mesg, Profile } from '@garmin/fitsdk';

/** One message of a fixture (the SDK's types are per message; a fixture writes a handful). */
const write = (enc: Encoder, mesgNum: number, fields: Record<string, unknown>) =>
  enc.writeMesg({ ...(fields as Mesg), mesgNum });

export interface RideSecond {
  power?: number;
  hr?: number;
  cadence?: number;
  speed?: number;
  lat?: number;
  lon?: number;
}

const DEG_SEMI = 2 ** 31 / 180;

/**
 * A FIT activity written with Garmin's own encoder: file_id, one record per second (distance
 * integrated from speed), a lap, a session and an activity message. The project's own fixture:
 * real files from `../shared/fixtures/fit` are only read, never committed.
 */
export function encodeRide(start: Date, seconds: RideSecond[], sport: 'cycling' | 'running' = 'cycling'): Uint8Array {
  const enc = new Encoder();
  write(enc, Profile.MesgNum.FILE_ID!, {
    type: 'activity',
    manufacturer: 'development',
    product: 7,
    serialNumber: 4242,
    timeCreated: start,
  });
  let distance = 0;
  seconds.forEach((s, i) => {
    distance += s.speed ?? 0;
    write(enc, Profile.MesgNum.RECORD!, {
      timestamp: new Date(start.getTime() + i * 1000),
      ...(s.power === undefined ? {} : { power: s.power }),
      ...(s.hr === undefined ? {} : { heartRate: s.hr }),
      ...(s.cadence === undefined ? {} : { cadence: s.cadence }),
      ...(s.speed === undefined ? {} : { speed: s.speed, distance }),
      ...(s.lat === undefined ? {} : { positionLat: Math.round(s.lat * DEG_SEMI) }),
      ...(s.lon === undefined ? {} : { positionLong: Math.round(s.lon * DEG_SEMI) }),
    });
  });
  const end = new Date(start.getTime() + (seconds.length - 1) * 1000);
  const totals = {
    startTime: start,
    totalElapsedTime: seconds.length - 1,
    totalTimerTime: seconds.length - 1,
    totalDistance: distance,
    ...deviceSummary(seconds),
  };
  write(enc, Profile.MesgNum.LAP!, { timestamp: end, ...totals });
  write(enc, Profile.MesgNum.SESSION!, { timestamp: end, sport, ...totals });
  write(enc, Profile.MesgNum.ACTIVITY!, { timestamp: end, numSessions: 1, totalTimerTime: seconds.length - 1 });
  return enc.close();
}

/**
 * What a head unit writes into its lap and session messages (the fields the checks compare with a
 * real device's): power averaged over the seconds that have it, normalized power (30 s rolling
 * mean, 4th-power mean, 4th root), work, and heart-rate and cadence averages.
 */
function deviceSummary(seconds: RideSecond[]): Record<string, number> {
  const power = seconds.flatMap((s) => (s.power === undefined ? [] : [s.power]));
  const hr = seconds.flatMap((s) => (s.hr === undefined ? [] : [s.hr]));
  const cadence = seconds.flatMap((s) => (s.cadence === undefined ? [] : [s.cadence]));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const out: Record<string, number> = {};
  if (power.length > 0) {
    out.avgPower = Math.round(mean(power));
    out.maxPower = Math.max(...power);
    out.totalWork = power.reduce((a, b) => a + b, 0);
    if (power.length >= 30) {
      let fourth = 0;
      for (let i = 29; i < power.length; i++) fourth += mean(power.slice(i - 29, i + 1)) ** 4;
      out.normalizedPower = Math.round((fourth / (power.length - 29)) ** 0.25);
    }
  }
  if (hr.length > 0) {
    out.avgHeartRate = Math.round(mean(hr));
    out.maxHeartRate = Math.max(...hr);
  }
  if (cadence.length > 0) out.avgCadence = Math.round(mean(cadence));
  return out;
}

/** A ride with changing power, HR, cadence and speed (a few seconds without power: a paused sensor). */

export function sampleRide(n: number, seed = 1): RideSecond[] {
  return Array.from({ length: n }, (_, i) => ({
    ...(i % 97 === 50 ? {} : { power: 120 + ((i * 37 + seed * 11) % 230) }),
    hr: 110 + ((i * 7 + seed) % 60),
    cadence: 80 + (i % 15),
    speed: 7 + ((i + seed) % 40) / 10,
    lat: 47.3 + i * 1e-5,
    lon: 8.5 + i * 1e-5,
  }));
}
