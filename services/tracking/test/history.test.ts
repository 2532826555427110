import { kafkaTopics, type PowerDuration, type SampleSeries } from '@wattstream/contracts';
import { produceEvent, testKafka, waitFor } from '@wattstream/testkit';
import { XMLParser } from 'fast-xml-parser';
import FitParser from 'fit-file-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  perSecond,
  ride,
  signUp,
  startTracking,
  startUsers,
  type Tracking,
  type Users,
  writeRows,
} from './support.js';

const QDB = () => process.env.QUESTDB_HTTP as string;

function decodeFit(
  bytes: ArrayBuffer,
): Promise<{ records: Record<string, unknown>[]; sessions: Record<string, unknown>[] }> {
  const parser = new FitParser({ force: false, speedUnit: 'm/s', lengthUnit: 'm', mode: 'list' });
  return new Promise((resolve, reject) =>
    parser.parse(Buffer.from(bytes), (err, data) => (err ? reject(new Error(String(err))) : resolve(data as never))),
  );
}

describe('tracking history', () => {
  const kafka = testKafka('tracking-history');
  let users: Users;
  let tracking: Tracking;
  let rider: Awaited<ReturnType<typeof signUp>>;
  let other: Awaited<ReturnType<typeof signUp>>;
  const t0 = Date.UTC(2026, 10, 25, 6, 0, 0);
  const HOURS = 4;
  const rows = ride(t0, HOURS * 3600);
  const endedAt = rows.at(-1)!.ts;
  let sessionId: string;
  const get = <T>(path: string, token = rider.tokens.accessToken) => api<T>(tracking.url, 'GET', path, { token });

  beforeAll(async () => {
    users = await startUsers();
    tracking = await startTracking(`${users.url}/.well-known/jwks.json`);
    rider = await signUp(users.url, { name: 'history' });
    other = await signUp(users.url, { name: 'other' });
    sessionId = `${rider.id}:${t0}`;
    await writeRows(QDB(), rider.id, rows);
    await produceEvent(kafka, kafkaTopics.trainingStarted.name, {
      key: rider.id,
      value: { sessionId, athleteId: rider.id, startedAt: t0, deviceIds: ['trainer'] },
      id: sessionId,
    });
    await produceEvent(kafka, kafkaTopics.trainingCompleted.name, {
      key: rider.id,
      value: {
        sessionId,
        athleteId: rider.id,
        startedAt: t0,
        endedAt,
        durationS: (endedAt - t0) / 1000,
        movingS: HOURS * 3600,
        distanceM: 1,
        avgPower: 1,
        maxPower: 1,
        normalizedPower: 1,
        intensity: 0.1,
        load: 1,
        kj: 1,
        avgHr: 1,
        maxHr: 1,
        samples: rows.length,
        profileSource: 'default',
      },
      id: sessionId,
    });
    await waitFor(
      async () =>
        (await tracking.ctx.db.query('SELECT 1 FROM sessions WHERE id = $1 AND ended_at IS NOT NULL', [sessionId]))
          .rowCount,
      { what: 'the session index' },
    );
  }, 180_000);
  afterAll(async () => {
    await tracking?.destroy();
    await users?.destroy();
  });
  const path = (p: string) => `/v1/sessions/${encodeURIComponent(sessionId)}${p}`;

  it('downsamples a 4-hour ride at 4 Hz to at most 2,000 buckets whose means match the samples', async () => {
    const r = await get<SampleSeries>(path('/samples?points=2000'));
    expect(r.status).toBe(200);
    const s = r.body;
    expect(s.t.length).toBeLessThanOrEqual(2000);
    expect(s.t.length).toBeGreaterThan(1900);
    expect(s.resolutionMs).toBe(Math.ceil((endedAt + 1 - t0) / 2000));
    // every bucket against the rows it covers, computed here
    const buckets = new Map<number, { p: number[]; h: number[] }>();
    for (const row of rows) {
      const k = t0 + Math.floor((row.ts - t0) / s.resolutionMs) * s.resolutionMs;
      const b = buckets.get(k) ?? { p: [], h: [] };
      if (row.power !== undefined) b.p.push(row.power);
      if (row.hr !== undefined) b.h.push(row.hr);
      buckets.set(k, b);
    }
    expect(s.t).toEqual([...buckets.keys()]);
    const mean = (xs: number[]) =>
      xs.length ? Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 10) / 10 : null;
    expect(s.power).toEqual([...buckets.values()].map((b) => mean(b.p)));
    expect(s.hr).toEqual([...buckets.values()].map((b) => mean(b.h)));
    const strap = await get<SampleSeries>(path('/samples?points=100&deviceId=strap'));
    expect(strap.body.power.every((p) => p === null)).toBe(true);
    expect(strap.body.hr.every((h) => h !== null)).toBe(true);
  });

  it('computes power-duration and peak HR in QuestDB, as the definitions give them', async () => {
    const r = await get<PowerDuration>(path('/power-duration'));
    expect(r.status).toBe(200);
    const secs = perSecond(rows)
      .filter((x) => x.power !== null)
      .map((x) => x.power as number);
    for (const { durationS, watts } of r.body.best) {
      let best = Number.NEGATIVE_INFINITY;
      let sum = 0;
      for (let i = 0; i < secs.length; i++) {
        sum += secs[i]!;
        if (i >= durationS) sum -= secs[i - durationS]!;
        if (i >= durationS - 1) best = Math.max(best, sum / durationS);
      }
      expect(watts, `${durationS} s`).toBeCloseTo(best, 1);
    }
    expect(r.body.peakHr).toBe(Math.max(...rows.filter((x) => x.hr).map((x) => x.hr as number)));
  });

  it('exports FIT that an independent decoder reads back as the stored samples, and TCX', async () => {
    const res = await fetch(`${tracking.url}${path('/export.fit')}`, {
      headers: { authorization: `Bearer ${rider.tokens.accessToken}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.ant.fit');
    const fit = await decodeFit(await res.arrayBuffer());
    const want = perSecond(rows);
    expect(fit.records.length).toBe(want.length);
    for (const i of [0, 1, 251, 1000, want.length - 1]) {
      const got = fit.records[i]!;
      const w = want[i]!;
      expect(new Date(got.timestamp as string).getTime()).toBe(w.ts);
      expect(got.power ?? null).toBe(w.power === null ? null : Math.round(w.power));
      expect(got.heart_rate).toBe(Math.round(w.hr!));
      expect(got.cadence).toBe(Math.round(w.cadence!));
      expect(got.speed as number).toBeCloseTo(w.speed!, 2);
      expect(got.distance as number).toBeCloseTo(w.distance!, 1);
    }
    expect(fit.sessions[0]).toMatchObject({ sport: 'cycling', total_elapsed_time: (want.at(-1)!.ts - t0) / 1000 });

    const tcx = await fetch(`${tracking.url}${path('/export.tcx')}`, {
      headers: { authorization: `Bearer ${rider.tokens.accessToken}` },
    });
    const doc = new XMLParser({ ignoreAttributes: false }).parse(await tcx.text());
    const act = doc.TrainingCenterDatabase.Activities.Activity;
    expect(act['@_Sport']).toBe('Biking');
    const pts = act.Lap.Track.Trackpoint as Record<string, unknown>[];
    expect(pts.length).toBe(want.length);
    expect(pts[1]).toMatchObject({ HeartRateBpm: { Value: Math.round(want[1]!.hr!) } });
    expect((pts[1]!.Extensions as { 'ns3:TPX': { 'ns3:Watts': number } })['ns3:TPX']['ns3:Watts']).toBe(
      Math.round(want[1]!.power!),
    );
    const gpx = await get<{ code: string }>(path('/export.gpx'));
    expect(gpx.status).toBe(422);
    expect(gpx.body.code).toBe('WS_TRACKING_NO_POSITIONS');
  });

  it('keeps an uploaded session’s samples with positions and exports them as GPX', async () => {
    const u0 = Date.UTC(2026, 10, 26, 7, 0, 0);
    const id = `${rider.id}:${u0}`;
    const samples = Array.from({ length: 120 }, (_, i) => ({
      ts: u0 + i * 1000,
      power: 200 + i,
      hr: 130,
      lat: 47.37 + i * 1e-4,
      lon: 8.54,
      altitude: 400 + i / 10,
    }));
    await produceEvent(kafka, kafkaTopics.samplesImported.name, {
      key: rider.id,
      value: { sessionId: id, athleteId: rider.id, deviceId: 'edge-530', chunk: 0, chunks: 1, samples },
      id: `${id}:0`,
    });
    await produceEvent(kafka, kafkaTopics.sessionSummarized.name, {
      key: rider.id,
      id: `${id}:1`,
      value: {
        sessionId: id,
        athleteId: rider.id,
        revision: 1,
        source: 'upload',
        sport: 'cycling',
        startedAt: u0,
        endedAt: u0 + 119_000,
        durationS: 119,
        movingS: 120,
        distanceM: 0,
        kj: 31,
        avgPower: 259.5,
        maxPower: 319,
        normalizedPower: 260,
        intensity: 1.3,
        load: 5,
        avgHr: 130,
        maxHr: 130,
        timeInPowerZones: null,
        timeInHrZones: null,
        ftp: 200,
        gearId: null,
        workoutId: null,
        summarizedAt: u0 + 200_000,
      },
    });
    const gpx = await waitFor(
      async () => {
        const r = await fetch(`${tracking.url}/v1/sessions/${encodeURIComponent(id)}/export.gpx`, {
          headers: { authorization: `Bearer ${rider.tokens.accessToken}` },
        });
        const text = await r.text();
        return r.status === 200 && (text.match(/<trkpt /g) ?? []).length === 120 ? text : undefined;
      },
      { what: 'the imported samples in the history', timeoutMs: 60_000 },
    );
    const doc = new XMLParser({ ignoreAttributes: false }).parse(gpx);
    expect(doc.gpx['@_version']).toBe('1.1');
    expect(doc.gpx['@_xmlns']).toBe('http://www.topografix.com/GPX/1/1');
    const pts = doc.gpx.trk.trkseg.trkpt as Record<string, unknown>[];
    expect(Number(pts[10]!['@_lat'])).toBeCloseTo(47.371, 6);
    expect(pts[10]!.ele).toBe(401);
    expect(pts[10]!.time).toBe(new Date(u0 + 10_000).toISOString().replace('.000Z', 'Z'));
  });

  it('answers another athlete with 404 and a coach of the athlete with the data', async () => {
    for (const p of ['/samples', '/power-duration', '/export.fit']) {
      const r = await get<{ code: string }>(path(p), other.tokens.accessToken);
      expect(r.status, p).toBe(404);
      expect(r.body.code).toBe('WS_HTTP_NOT_FOUND');
    }
    const coach = await signUp(users.url, { name: 'coach', accountType: 'coach' });
    const updatedAt = Date.now();
    await produceEvent(kafka, kafkaTopics.coachLinkUpdated.name, {
      key: rider.id,
      value: { athleteId: rider.id, coachId: coach.id, active: true, updatedAt },
      id: `${rider.id}:${coach.id}:${updatedAt}`,
    });
    await waitFor(async () => (await get(path('/samples?points=10'), coach.tokens.accessToken)).status === 200, {
      what: 'the coach link',
    });
  });

  it('bounds time ranges and pages through long ones', async () => {
    const base = `/v1/athletes/${rider.id}/samples`;
    const tenYears = await get<{ code: string }>(`${base}?from=${t0 - 10 * 365 * 86_400_000}&to=${t0}`);
    expect(tenYears.status).toBe(400);
    expect(tenYears.body.code).toBe('WS_TRACKING_RANGE_INVALID');
    const first = await get<SampleSeries>(`${base}?from=${t0}&to=${t0 + 3_600_000}&resolutionMs=1000`);
    expect(first.status).toBe(200);
    expect(first.body.t.length).toBe(2000);
    const second = await get<SampleSeries>(
      `${base}?from=${t0}&to=${t0 + 3_600_000}&resolutionMs=1000&cursor=${first.body.nextCursor}`,
    );
    expect(second.body.t.length).toBe(1600);
    expect(second.body.t[0]).toBe(t0 + 2_000_000);
    expect(second.body.nextCursor).toBeNull();
    expect((await get(`${base}?from=${t0}&to=${t0 + 1000}`, other.tokens.accessToken)).status).toBe(404);
  });

  it('reports each device’s latest sample', async () => {
    const recent = Date.now() - 60_000;
    await writeRows(QDB(), other.id, [
      { ts: recent, deviceId: 'hrm', hr: 100 },
      { ts: recent + 5000, deviceId: 'kickr', power: 200, cadence: 90 },
    ]);
    const r = await get<{ items: { deviceId: string; lastSeen: string; metrics: string[] }[] }>(
      `/v1/athletes/${other.id}/devices`,
      other.tokens.accessToken,
    );
    expect(r.body.items).toEqual([
      {
        deviceId: 'kickr',
        lastSeen: new Date(recent + 5000).toISOString(),
        metrics: ['power', 'cadence'],
        battery: null,
      },
      { deviceId: 'hrm', lastSeen: new Date(recent).toISOString(), metrics: ['hr'], battery: null },
    ]);
  });
});
