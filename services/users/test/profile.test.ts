import { kafkaTopics } from '@wattstream/contracts';
import { collect, testKafka, waitFor } from '@wattstream/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, PROFILE, signUp, startUsers, type Users } from './support.js';

let users: Users;
let profiles: Awaited<ReturnType<typeof collect>>;
beforeAll(async () => {
  users = await startUsers();
  profiles = await collect(testKafka('users-profile-test'), kafkaTopics.profileUpdated.name);
}, 120_000);
afterAll(async () => {
  await profiles?.stop();
  await users?.destroy();
});

describe('athlete profile', () => {
  it('starts from the documented defaults, emitted as the first user.profile.updated', async () => {
    const { id, tokens } = await signUp(users.url);
    const r = await api<{ ftp: number; version: number }>(users.url, 'GET', '/v1/me/profile', {
      token: tokens.accessToken,
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('etag')).toBe('"v1"');
    expect(r.body).toMatchObject({ athleteId: id, ftp: 200, lthr: 170, version: 1, units: 'metric' });
    const ev = await waitFor(() => profiles.records.find((x) => x.key === id), { what: 'the first profile event' });
    expect(ev.value).toMatchObject({ athleteId: id, ftp: 200, weightKg: 75 });
  });

  it('updates with If-Match, emits the change, and refuses a stale or missing ETag', async () => {
    const { id, tokens } = await signUp(users.url);
    const token = tokens.accessToken;
    const put = await api<{ version: number; ftp: number }>(users.url, 'PUT', '/v1/me/profile', {
      token,
      body: PROFILE,
      headers: { 'if-match': '"v1"' },
    });
    expect(put.status).toBe(200);
    expect(put.headers.get('etag')).toBe('"v2"');
    expect(put.body).toMatchObject({ ftp: 250, weightKg: 71.5, version: 2 });
    const ev = await waitFor(
      () => profiles.records.find((x) => x.key === id && (x.value as { ftp: number }).ftp === 250),
      {
        what: 'the updated profile event',
      },
    );
    expect(ev.headers.ce_id).toBe(`${id}:${(ev.value as { updatedAt: number }).updatedAt}`);
    expect(ev.value).toMatchObject({ cp: 262, wPrime: 21_000, maxHr: 188, lthr: 168, weightKg: 71.5 });

    const stale = await api(users.url, 'PUT', '/v1/me/profile', {
      token,
      body: { ...PROFILE, ftp: 300 },
      headers: { 'if-match': '"v1"' },
    });
    expect(stale.status).toBe(412);
    expect(stale.body).toMatchObject({ code: 'WS_HTTP_PRECONDITION_FAILED' });
    const missing = await api(users.url, 'PUT', '/v1/me/profile', { token, body: { ...PROFILE, ftp: 300 } });
    expect(missing.status).toBe(428);
    const now = await api<{ ftp: number }>(users.url, 'GET', '/v1/me/profile', { token });
    expect(now.body.ftp).toBe(250);
  });

  it('refuses values out of range, unknown fields and inconsistent zones, naming the field', async () => {
    const { tokens } = await signUp(users.url);
    const put = (body: unknown) =>
      api<{ errors: { field: string }[] }>(users.url, 'PUT', '/v1/me/profile', {
        token: tokens.accessToken,
        body,
        headers: { 'if-match': '"v1"' },
      });
    expect((await put({ ...PROFILE, ftp: 5000 })).body.errors[0]?.field).toBe('body.ftp');
    expect((await put({ ...PROFILE, athleteId: 'someone-else' })).body.errors[0]?.field).toBe('body.athleteId');
    const zones = await put({ ...PROFILE, powerZoneBounds: [0.55, 0.5, 0.9, 1.05, 1.2, 1.5] });
    expect(zones.status).toBe(400);
    expect(zones.body.errors[0]?.field).toBe('body.powerZoneBounds');
    expect((await put({ ...PROFILE, lthr: 200, maxHr: 190 })).body.errors[0]?.field).toBe('body.lthr');
  });

  it("never shows another athlete's profile, unless the reader coaches them", async () => {
    const a = await signUp(users.url, { name: 'athlete' });
    const b = await signUp(users.url, { name: 'other' });
    const coach = await signUp(users.url, { name: 'coach', accountType: 'coach' });
    const read = (token: string) => api(users.url, 'GET', `/v1/athletes/${a.id}/profile`, { token });
    expect((await read(b.tokens.accessToken)).status).toBe(404);
    expect((await read(coach.tokens.accessToken)).status).toBe(404);
    expect((await read(a.tokens.accessToken)).status).toBe(200);
    const inv = await api<{ id: string }>(users.url, 'POST', '/v1/me/coach-invitations', {
      token: a.tokens.accessToken,
      body: { coachEmail: coach.email },
    });
    expect(inv.status).toBe(201);
    expect(
      (await api(users.url, 'POST', `/v1/coach-invitations/${inv.body.id}/accept`, { token: coach.tokens.accessToken }))
        .status,
    ).toBe(204);
    expect((await read(coach.tokens.accessToken)).status).toBe(200);
    // An athlete cannot accept their own invitation to someone else, nor anyone else's.
    expect(
      (await api(users.url, 'POST', `/v1/coach-invitations/${inv.body.id}/accept`, { token: b.tokens.accessToken }))
        .status,
    ).toBe(403);
  });
});
