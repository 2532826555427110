import { freePort } from '@wattstream/infra';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, signUp, startLegacy, startUsers, type Users } from '../../gateway/test/support.js';

const SESSION = (day: number) => ({
  startedAt: `2026-03-${String(day).padStart(2, '0')}T06:00:00.000Z`,
  endedAt: `2026-03-${String(day).padStart(2, '0')}T07:00:00.000Z`,
  summary: {
    durationS: 3600,
    movingS: 3550,
    distanceM: 32_000,
    kj: 780,
    avgPower: 215,
    normalizedPower: 228,
    intensity: 0.87,
    load: 76,
    avgHr: 141,
    maxHr: 168,
  },
});

/** The legacy monolith on its own (direct calls with bearer tokens of the users service). */
describe('legacy monolith', () => {
  let users: Users;
  let legacy: Awaited<ReturnType<typeof startLegacy>>;
  let a: Awaited<ReturnType<typeof signUp>>;
  let b: Awaited<ReturnType<typeof signUp>>;

  beforeAll(async () => {
    users = await startUsers();
    legacy = await startLegacy({ port: await freePort(), usersUrl: users.url });
    [a, b] = await Promise.all([signUp(users.url), signUp(users.url)]);
  });
  afterAll(async () => {
    await legacy?.destroy();
    await users?.destroy();
  });

  it('keeps sessions per athlete, newest first, paged with a cursor; another athlete sees none of them', async () => {
    for (const d of [1, 2, 3]) {
      const r = await api(legacy.url, 'POST', '/training/v1/sessions', {
        token: a.tokens.accessToken,
        body: SESSION(d),
      });
      expect(r.status).toBe(201);
    }
    type Page = { items: { id: string; startedAt: string }[]; nextCursor: string | null };
    const p1 = await api<Page>(legacy.url, 'GET', '/training/v1/sessions?limit=2', { token: a.tokens.accessToken });
    expect(p1.body.items.map((s) => s.startedAt.slice(0, 10))).toEqual(['2026-03-03', '2026-03-02']);
    const p2 = await api<Page>(legacy.url, 'GET', `/training/v1/sessions?limit=2&cursor=${p1.body.nextCursor}`, {
      token: a.tokens.accessToken,
    });
    expect(p2.body.items.map((s) => s.startedAt.slice(0, 10))).toEqual(['2026-03-01']);
    expect(p2.body.nextCursor).toBeNull();
    const id = encodeURIComponent(p1.body.items[0]!.id);
    expect((await api(legacy.url, 'GET', `/training/v1/sessions/${id}`, { token: a.tokens.accessToken })).status).toBe(
      200,
    );
    expect((await api(legacy.url, 'GET', `/training/v1/sessions/${id}`, { token: b.tokens.accessToken })).status).toBe(
      404,
    );
    const none = await api<Page>(legacy.url, 'GET', '/training/v1/sessions', { token: b.tokens.accessToken });
    expect(none.body.items).toEqual([]);
  });

  it('keeps workouts and the athlete record; refuses unknown fields and anonymous calls', async () => {
    const w = await api<{ id: string; steps: unknown[] }>(legacy.url, 'POST', '/training/v1/workouts', {
      token: a.tokens.accessToken,
      body: { name: 'ramp', description: '', steps: [{ kind: 'warmup', durationS: 600, targetPctFtp: 55 }] },
    });
    expect(w.status).toBe(201);
    const list = await api<{ items: { id: string }[] }>(legacy.url, 'GET', '/training/v1/workouts', {
      token: a.tokens.accessToken,
    });
    expect(list.body.items.map((x) => x.id)).toEqual([w.body.id]);
    expect(
      (await api(legacy.url, 'DELETE', `/training/v1/workouts/${w.body.id}`, { token: b.tokens.accessToken })).status,
    ).toBe(404);
    expect(
      (await api(legacy.url, 'DELETE', `/training/v1/workouts/${w.body.id}`, { token: a.tokens.accessToken })).status,
    ).toBe(204);
    const me = await api<{ id: string; ftp: number | null }>(legacy.url, 'PUT', '/training/v1/athletes/me', {
      token: a.tokens.accessToken,
      body: { displayName: 'Ann', ftp: 260 },
    });
    expect(me.body).toMatchObject({ id: a.id, ftp: 260 });
    const extra = await api(legacy.url, 'PUT', '/training/v1/athletes/me', {
      token: a.tokens.accessToken,
      body: { displayName: 'Ann', ftp: 260, id: b.id },
    });
    expect(extra.status).toBe(400);
    expect((await api(legacy.url, 'GET', '/training/v1/workouts')).status).toBe(401);
  });
});
