import { request } from 'node:http';
import { kafkaTopics, type Session, type SessionPage } from '@wattstream/contracts';
import {
  collect,
  encodeRide,
  produceEvent,
  type RideSecond,
  sampleRide,
  testKafka,
  waitFor,
} from '@wattstream/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, signUp, startTraining, startUsers, type Training, type Users, upload } from './support.js';

const PROFILE = {
  ftp: 250,
  cp: 262,
  wPrime: 21_000,
  maxHr: 188,
  lthr: 168,
  weightKg: 71.5,
  powerZoneBounds: [0.55, 0.75, 0.9, 1.05, 1.2, 1.5],
  hrZoneBounds: [0.81, 0.9, 0.94, 1.0],
  units: 'metric',
};

/** The numbers straight from their definitions over the 1 Hz seconds we encoded: no shared code. */
function expected(seconds: RideSecond[]) {
  const p = seconds.filter((s) => s.power !== undefined).map((s) => s.power as number);
  let fourth = 0;
  for (let i = 29; i < p.length; i++) fourth += (p.slice(i - 29, i + 1).reduce((a, b) => a + b, 0) / 30) ** 4;
  const np = (fourth / (p.length - 29)) ** 0.25;
  const hr = seconds.map((s) => s.hr as number);
  return {
    avgPower: p.reduce((a, b) => a + b, 0) / p.length,
    normalizedPower: np,
    kj: p.reduce((a, b) => a + b, 0) / 1000,
    distanceM: seconds.slice(1).reduce((a, s) => a + (s.speed ?? 0), 0),
    avgHr: hr.reduce((a, b) => a + b, 0) / hr.length,
    maxHr: Math.max(...hr),
    intensity: np / PROFILE.ftp,
    load: (p.length / 3600) * (np / PROFILE.ftp) ** 2 * 100,
  };
}

describe('training sessions: uploads and the session list', () => {
  const kafka = testKafka('training-sessions');
  let users: Users;
  let training: Training;
  let summarized: Awaited<ReturnType<typeof collect>>;
  let imported: Awaited<ReturnType<typeof collect>>;
  let rider: Awaited<ReturnType<typeof signUp>>;
  let other: Awaited<ReturnType<typeof signUp>>;
  let base: string;
  const t0 = Date.UTC(2026, 10, 3, 7, 0, 0);

  beforeAll(async () => {
    users = await startUsers();
    training = await startTraining(`${users.url}/.well-known/jwks.json`);
    base = `${training.url}/v1/sessions`;
    summarized = await collect(kafka, kafkaTopics.sessionSummarized.name);
    imported = await collect(kafka, kafkaTopics.samplesImported.name);
    rider = await signUp(users.url, { name: 'uploader' });
    other = await signUp(users.url, { name: 'stranger' });
    const me = await api<{ version: number }>(users.url, 'GET', '/v1/me/profile', { token: rider.tokens.accessToken });
    const put = await api(users.url, 'PUT', '/v1/me/profile', {
      token: rider.tokens.accessToken,
      body: PROFILE,
      headers: { 'if-match': `"v${me.body.version}"` },
    });
    expect(put.status).toBe(200);
    await waitFor(
      async () =>
        (await training.ctx.db.query('SELECT 1 FROM profiles WHERE athlete_id = $1 AND ftp = 250', [rider.id]))
          .rowCount === 1,
      { what: "training's projection of the profile" },
    );
  }, 120_000);
  afterAll(async () => {
    await summarized?.stop();
    await imported?.stop();
    await training?.destroy();
    await users?.destroy();
  });

  const token = () => rider.tokens.accessToken;
  const count = async () =>
    Number((await training.ctx.db.query('SELECT count(*) AS n FROM sessions')).rows[0].n as string);

  it('summarises an uploaded FIT file with the live definitions and emits the summary and samples', async () => {
    const seconds = sampleRide(1800);
    const r = await upload(base, token(), encodeRide(new Date(t0), seconds), 'ride.fit', { gearId: 'bike-7' });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    const s = r.body as unknown as Session;
    const want = expected(seconds);
    expect(s.id).toBe(`${rider.id}:${t0}`);
    expect(s).toMatchObject({ source: 'upload', sport: 'cycling', state: 'completed', gearId: 'bike-7' });
    const sum = s.summary!;
    expect(sum.avgPower).toBeCloseTo(want.avgPower, 1);
    expect(sum.normalizedPower).toBeCloseTo(want.normalizedPower, 1);
    expect(sum.kj).toBeCloseTo(want.kj, 2);
    expect(sum.distanceM).toBeCloseTo(want.distanceM, 0);
    expect(sum.avgHr).toBeCloseTo(want.avgHr, 1);
    expect(sum.maxHr).toBe(want.maxHr);
    expect(sum.intensity).toBeCloseTo(want.intensity, 2);
    expect(sum.load).toBeCloseTo(want.load, 1);
    expect(sum.ftp).toBe(250);
    expect(sum.durationS).toBe(1799);
    expect(sum.timeInPowerZones!.reduce((a, b) => a + b, 0)).toBe(seconds.filter((x) => x.power).length);
    expect(sum.timeInHrZones!.reduce((a, b) => a + b, 0)).toBe(1800);

    await waitFor(() => summarized.records.some((x) => x.key === rider.id), { what: 'training.session.summarized' });
    const ev = summarized.records.find((x) => x.key === rider.id)!;
    expect(ev.headers.ce_id).toBe(`${s.id}:1`);
    expect(ev.value).toMatchObject({ sessionId: s.id, source: 'upload', gearId: 'bike-7', kj: sum.kj, ftp: 250 });
    await waitFor(() => imported.records.filter((x) => x.key === rider.id).length === 2, { what: 'two sample chunks' });
    const chunks = imported.records.filter((x) => x.key === rider.id).map((x) => x.value as { samples: unknown[] });
    expect(chunks.reduce((n, c) => n + c.samples.length, 0)).toBe(1800);
    expect((chunks[0]!.samples[0] as { lat: number }).lat).toBeCloseTo(47.3, 5);
  });

  it('lists the caller’s sessions newest first, in pages, and hides them from others', async () => {
    for (const k of [1, 2]) {
      const r = await upload(base, token(), encodeRide(new Date(t0 + k * 86_400_000), sampleRide(120, k)), 'r.fit');
      expect(r.status).toBe(201);
    }
    const page1 = await api<SessionPage>(training.url, 'GET', '/v1/sessions?limit=2', { token: token() });
    expect(page1.status).toBe(200);
    expect(page1.body.items.map((x) => x.startedAt)).toEqual([
      new Date(t0 + 2 * 86_400_000).toISOString(),
      new Date(t0 + 86_400_000).toISOString(),
    ]);
    expect(page1.body.items[0]!.summary?.kj).toBeGreaterThan(0);
    const page2 = await api<SessionPage>(training.url, 'GET', `/v1/sessions?limit=2&cursor=${page1.body.nextCursor}`, {
      token: token(),
    });
    expect(page2.body.items.map((x) => x.startedAt)).toEqual([new Date(t0).toISOString()]);
    expect(page2.body.nextCursor).toBeNull();

    const id = encodeURIComponent(`${rider.id}:${t0}`);
    expect((await api(training.url, 'GET', `/v1/sessions/${id}`, { token: token() })).status).toBe(200);
    const theirs = await api<{ code: string; instance?: string }>(training.url, 'GET', `/v1/sessions/${id}`, {
      token: other.tokens.accessToken,
    });
    const unknown = await api<{ code: string }>(
      training.url,
      'GET',
      `/v1/sessions/${encodeURIComponent(`${rider.id}:1`)}`,
      { token: other.tokens.accessToken },
    );
    expect(theirs.status).toBe(404);
    expect(theirs.body).toEqual({ ...unknown.body, instance: theirs.body.instance, requestId: expect.any(String) });
    const list = await api(training.url, 'GET', `/v1/sessions?athleteId=${rider.id}`, {
      token: other.tokens.accessToken,
    });
    expect(list.status).toBe(404);
    expect((await api(training.url, 'GET', '/v1/sessions')).status).toBe(401);
  });

  it('lets a coach of the athlete read the sessions once users says they coach them', async () => {
    const coach = await signUp(users.url, { name: 'coach', accountType: 'coach' });
    const read = () =>
      api<SessionPage>(training.url, 'GET', `/v1/sessions?athleteId=${rider.id}`, { token: coach.tokens.accessToken });
    expect((await read()).status).toBe(404);
    const updatedAt = Date.now();
    await produceEvent(kafka, kafkaTopics.coachLinkUpdated.name, {
      key: rider.id,
      value: { athleteId: rider.id, coachId: coach.id, active: true, updatedAt },
      id: `${rider.id}:${coach.id}:${updatedAt}`,
    });
    const ok = await waitFor(async () => ((await read()).status === 200 ? read() : undefined), {
      what: 'the coach link projection',
    });
    expect(ok.body.items.length).toBe(3);
  });

  it('refuses a truncated or non-FIT upload with a clear 4xx and stores nothing', async () => {
    const before = await count();
    const good = encodeRide(new Date(t0 + 9 * 86_400_000), sampleRide(60));
    const truncated = await upload(base, token(), good.slice(0, good.length - 40), 'cut.fit');
    expect(truncated.status).toBe(422);
    expect(truncated.body.code).toBe('WS_TRAINING_FIT_INVALID');
    expect(String(truncated.body.detail)).toMatch(/truncated|CRC/);
    const text = await upload(base, token(), new TextEncoder().encode('<gpx>not a fit file</gpx>'), 'ride.gpx');
    expect(text.status).toBe(422);
    expect(text.body.code).toBe('WS_TRAINING_FIT_INVALID');
    const noFile = await fetch(base, {
      method: 'POST',
      headers: { authorization: `Bearer ${token()}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(noFile.status).toBe(415);
    expect(await count()).toBe(before);
    const again = await upload(base, token(), encodeRide(new Date(t0), sampleRide(1800)), 'ride.fit');
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('WS_TRAINING_SESSION_EXISTS');
  });

  it('refuses a 100 MB upload by its size before reading the body', async () => {
    const before = await count();
    const total = 100 * 1024 * 1024;
    const u = new URL(base);
    const { status, sent } = await new Promise<{ status: number; sent: number }>((resolve, reject) => {
      let sent = 0;
      const req = request(
        {
          host: u.hostname,
          port: u.port,
          path: u.pathname,
          method: 'POST',
          headers: {
            authorization: `Bearer ${token()}`,
            'content-type': 'multipart/form-data; boundary=x',
            'content-length': String(total),
          },
        },
        (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? 0, sent });
          req.destroy();
        },
      );
      req.on('error', (e) => (sent < total ? undefined : reject(e)));
      const chunk = Buffer.alloc(1024 * 1024, 0x41);
      const pump = () => {
        while (sent < total) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    expect(status).toBe(413);
    expect(sent).toBeLessThan(total);
    expect(await count()).toBe(before);
  });
});
