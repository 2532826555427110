import { Sender } from '@questdb/nodejs-client';
import { TRACKING_METRICS_DDL, TRACKING_METRICS_TABLE } from '@wattstream/contracts';
import { testDatabase } from '@wattstream/infra/testing';
import { startService } from '@wattstream/kernel';
import { questdbExec, waitForWalApplied } from '@wattstream/platform';
import { unique } from '@wattstream/testkit';
import { trackingService } from '../src/service.js';

export { api, signUp, startUsers, type Users } from '../../users/test/support.js';

export type Tracking = Awaited<ReturnType<typeof startTracking>>;

/** The tracking service in-process on a fresh database, its own consumer group, tokens from `jwksUrl`. */
export async function startTracking(jwksUrl: string, env: Record<string, string> = {}) {
  const db = await testDatabase('tracking');
  const group = unique('tracking');
  const svc = await startService(trackingService, {
    env: {
      ...process.env,
      LOG_LEVEL: process.env.TEST_SERVICE_LOG ?? 'silent',
      TRACKING_PORT: '0',
      DATABASE_URL: db.url,
      AUTH_JWKS_URL: jwksUrl,
      TRACKING_CONSUMER_GROUP: group,
      ...env,
    },
  });
  return Object.assign(svc, {
    db,
    group,
    async destroy() {
      await svc.stop();
      await db.drop();
    },
  });
}

export interface Row {
  ts: number;
  deviceId: string;
  hr?: number;
  power?: number;
  cadence?: number;
  speed?: number;
  distance?: number;
}

/** Writes samples into `tracking_metrics` the way ingest's sink does (table by SQL first, ILP over HTTP). */
export async function writeRows(questdbHttp: string, athleteId: string, rows: Row[]): Promise<void> {
  await questdbExec(questdbHttp, TRACKING_METRICS_DDL);
  const sender = await Sender.fromConfig(`http::addr=${new URL(questdbHttp).host};`);
  try {
    for (const r of rows) {
      sender.table(TRACKING_METRICS_TABLE).symbol('athlete_id', athleteId).symbol('device_id', r.deviceId);
      if (r.hr !== undefined) sender.intColumn('hr', r.hr);
      if (r.power !== undefined) sender.intColumn('power', r.power);
      if (r.cadence !== undefined) sender.floatColumn('cadence', r.cadence);
      if (r.speed !== undefined) sender.floatColumn('speed', r.speed);
      if (r.distance !== undefined) sender.floatColumn('distance', r.distance);
      await sender.at(r.ts, 'ms');
    }
    await sender.flush();
  } finally {
    await sender.close();
  }
  await waitForWalApplied(questdbHttp, TRACKING_METRICS_TABLE);
}

/**
 * A ride at 4 Hz from a trainer (power, cadence, speed, distance) and 1 Hz from a heart-rate
 * strap, with a few seconds of power missing (a dropped sensor).
 */
export function ride(t0: number, seconds: number): Row[] {
  const rows: Row[] = [];
  let distance = 0;
  for (let i = 0; i < seconds * 4; i++) {
    const ts = t0 + i * 250;
    const speed = 8 + (i % 17) / 10;
    distance += speed / 4;
    const dropped = Math.floor(i / 4) % 500 === 250;
    rows.push({
      ts,
      deviceId: 'trainer',
      ...(dropped ? {} : { power: 150 + ((i * 31) % 200) + (Math.floor(i / 1200) % 3) * 40 }),
      cadence: 85 + (i % 9),
      speed,
      distance: Math.round(distance * 100) / 100,
    });
    if (i % 4 === 0) rows.push({ ts: ts + 100, deviceId: 'strap', hr: 120 + (Math.floor(i / 40) % 50) });
  }
  return rows;
}

/** Means per second of each metric, from the rows themselves (the independent reference). */
export function perSecond(rows: Row[]) {
  const m = new Map<number, Record<string, number[]>>();
  for (const r of rows) {
    const sec = Math.floor(r.ts / 1000) * 1000;
    const b = m.get(sec) ?? {};
    for (const k of ['power', 'hr', 'cadence', 'speed', 'distance'] as const) {
      const v = r[k];
      if (v !== undefined) b[k] = [...(b[k] ?? []), v];
    }
    m.set(sec, b);
  }
  const mean = (xs?: number[]) => (xs ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  return [...m.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([ts, b]) => ({
      ts,
      power: mean(b.power),
      hr: mean(b.hr),
      cadence: mean(b.cadence),
      speed: mean(b.speed),
      distance: b.distance ? Math.max(...b.distance) : null,
    }));
}
