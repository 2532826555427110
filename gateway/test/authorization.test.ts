import { freePort } from '@wattstream/infra';
import { waitFor } from '@wattstream/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  echoUpstream,
  type Gateway,
  PROFILE,
  rawRequest,
  routesFile,
  signUp,
  startGateway,
  startLegacy,
  startUsers,
  tableWith,
  type Users,
} from './support.js';

type Account = Awaited<ReturnType<typeof signUp>>;
type Call = { method: string; path: string; body?: unknown; headers?: Record<string, string> };

/**
 * One resource family for the BOLA suite: `create` makes an object of `owner` and returns the
 * calls that touch it. Adding a family (gear, connections, …) as its service lands is one entry.
 */
interface Family {
  name: string;
  create(base: string, owner: Account): Promise<Call[]>;
}

const SESSION = {
  startedAt: '2026-05-01T07:00:00.000Z',
  endedAt: '2026-05-01T08:00:00.000Z',
  summary: {
    durationS: 3600,
    movingS: 3500,
    distanceM: 30_000,
    kj: 800,
    avgPower: 220,
    normalizedPower: 235,
    intensity: 0.9,
    load: 81,
    avgHr: 140,
    maxHr: 170,
  },
};

const FAMILIES: Family[] = [
  {
    name: 'profile',
    create: async (_base, owner) => [{ method: 'GET', path: `/users/v1/athletes/${owner.id}/profile` }],
  },
  {
    name: 'edges',
    async create(base, owner) {
      const r = await api<{ edge: { edgeId: string } }>(base, 'POST', '/users/v1/me/edges', {
        token: owner.tokens.accessToken,
        body: { name: 'garage laptop' },
      });
      const id = r.body.edge.edgeId;
      return [
        { method: 'GET', path: `/users/v1/me/edges/${id}` },
        { method: 'PUT', path: `/users/v1/me/edges/${id}/sensors`, body: { sensors: [] } },
        { method: 'POST', path: `/users/v1/me/edges/${id}/credential` },
        { method: 'DELETE', path: `/users/v1/me/edges/${id}` },
      ];
    },
  },
  {
    name: 'sessions',
    async create(base, owner) {
      const r = await api<{ id: string }>(base, 'POST', '/training/v1/sessions', {
        token: owner.tokens.accessToken,
        body: SESSION,
      });
      return [
        { method: 'GET', path: `/training/v1/sessions/${encodeURIComponent(r.body.id)}` },
        { method: 'GET', path: `/training/v1/athletes/${owner.id}/sessions` },
      ];
    },
  },
  {
    name: 'workouts',
    async create(base, owner) {
      const r = await api<{ id: string }>(base, 'POST', '/training/v1/workouts', {
        token: owner.tokens.accessToken,
        body: {
          name: 'sweet spot',
          description: '3 × 10 min',
          steps: [{ kind: 'steady', durationS: 600, targetPctFtp: 90 }],
        },
      });
      return [
        { method: 'GET', path: `/training/v1/workouts/${r.body.id}` },
        { method: 'DELETE', path: `/training/v1/workouts/${r.body.id}` },
      ];
    },
  },
];

/** OWASP API1 (BOLA), API3 (object properties), API5 (BFLA) and API7 (SSRF), through the gateway. */
describe('gateway authorization', () => {
  let users: Users;
  let legacy: Awaited<ReturnType<typeof startLegacy>>;
  let echo: Awaited<ReturnType<typeof echoUpstream>>;
  let gw: Gateway;
  let a: Account;
  let b: Account;
  let coach: Account;

  beforeAll(async () => {
    users = await startUsers();
    echo = await echoUpstream();
    const legacyPort = await freePort();
    // one coach-only route to an upstream that checks nothing: only the gateway guards it
    const { file } = routesFile(
      tableWith({}, [
        { id: 'tracking-coach', prefix: '/tracking/v1/coach', service: 'tracking', auth: 'user', roles: ['coach'] },
      ]),
    );
    gw = await startGateway(
      { users: users.url, legacy: `http://127.0.0.1:${legacyPort}`, tracking: echo.url },
      { GATEWAY_ROUTES_FILE: file },
    );
    legacy = await startLegacy({ port: legacyPort, usersUrl: users.url, gatewayUrl: gw.url });
    [a, b, coach] = await Promise.all([
      signUp(`${gw.url}/users`, { name: 'alice' }),
      signUp(`${gw.url}/users`, { name: 'bob' }),
      signUp(`${gw.url}/users`, { name: 'carla', accountType: 'coach' }),
    ]);
  });
  afterAll(async () => {
    await gw?.stop();
    await legacy?.destroy();
    await echo?.app.close();
    await users?.destroy();
  });

  const as = (who: Account, c: Call) =>
    api<{ code?: string }>(gw.url, c.method, c.path, {
      token: who.tokens.accessToken,
      ...(c.body === undefined ? {} : { body: c.body }),
    });

  for (const family of FAMILIES) {
    it(`BOLA, ${family.name}: athlete B cannot read or change athlete A's objects (404 as for an unknown id)`, async () => {
      const calls = await family.create(gw.url, a);
      for (const c of calls) {
        const r = await as(b, c);
        expect(r.status, `${c.method} ${c.path}`).toBe(404);
        expect(r.body.code).toBe('WS_HTTP_NOT_FOUND');
      }
      // …and the owner can (reads first: a DELETE ends the object)
      for (const c of calls) expect((await as(a, c)).status, `owner ${c.method} ${c.path}`).toBeLessThan(300);
    });
  }

  it('ABAC: a coach reads the profile of an athlete they coach, once the link reaches the gateway', async () => {
    const path = `/users/v1/athletes/${a.id}/profile`;
    expect((await as(coach, { method: 'GET', path })).status).toBe(404);
    await api(gw.url, 'POST', '/users/v1/me/coach-invitations', {
      token: a.tokens.accessToken,
      body: { coachEmail: coach.email },
    });
    const inbox = await api<{ items: { id: string }[] }>(gw.url, 'GET', '/users/v1/me/coach-invitations', {
      token: coach.tokens.accessToken,
    });
    const accept = await as(coach, {
      method: 'POST',
      path: `/users/v1/coach-invitations/${inbox.body.items[0]!.id}/accept`,
    });
    expect(accept.status).toBe(204);
    const profile = await waitFor(
      async () => {
        const r = await api<{ ftp: number }>(gw.url, 'GET', path, { token: coach.tokens.accessToken });
        return r.status === 200 ? r : undefined;
      },
      { what: 'the coach link projected at the gateway', timeoutMs: 20_000 },
    );
    expect(profile.body.ftp).toBeGreaterThan(0);
    // a coach is not everyone's coach
    expect((await as(coach, { method: 'GET', path: `/users/v1/athletes/${b.id}/profile` })).status).toBe(404);
  });

  it('the gateway alone stops another athlete on an athlete path: the service never sees the request', async () => {
    // /tracking/v1/athletes/:athleteId goes to an upstream that checks nothing
    const before = echo.seen.length;
    const r = await api(gw.url, 'GET', `/tracking/v1/athletes/${a.id}/samples`, { token: b.tokens.accessToken });
    expect(r.status).toBe(404);
    expect(echo.seen.length).toBe(before);
    const own = await api(gw.url, 'GET', `/tracking/v1/athletes/${b.id}/samples`, { token: b.tokens.accessToken });
    expect(own.status).toBe(200);
    expect(echo.seen.length).toBe(before + 1);
  });

  it('the service alone still refuses when the gateway has no owner rule (neither is the only guard)', async () => {
    const { file } = routesFile(tableWith({ 'users-athlete': { owner: undefined } }));
    const open = await startGateway({ users: users.url }, { GATEWAY_ROUTES_FILE: file });
    try {
      const r = await api<{ code: string }>(open.url, 'GET', `/users/v1/athletes/${a.id}/profile`, {
        token: b.tokens.accessToken,
      });
      expect(r.status).toBe(404);
    } finally {
      await open.stop();
    }
  });

  it('BFLA: an athlete calling coach and admin functions gets 403 at the gateway', async () => {
    const calls: Call[] = [
      { method: 'GET', path: '/users/v1/me/athletes' },
      { method: 'GET', path: '/users/v1/me/coach-invitations' },
      { method: 'POST', path: '/users/v1/coach-invitations/00000000-0000-4000-8000-000000000000/accept' },
      { method: 'POST', path: '/users/v1/admin/signing-keys/rotate', body: {} },
      { method: 'GET', path: '/tracking/v1/coach/athletes' },
    ];
    const before = echo.seen.length;
    for (const c of calls) {
      const r = await as(b, c);
      expect(r.status, `${c.method} ${c.path}`).toBe(403);
      expect(r.body.code).toBe('WS_AUTH_FORBIDDEN');
    }
    expect(echo.seen.length).toBe(before);
    // a coach may use the coach routes, but is no admin
    expect((await as(coach, calls[0]!)).status).toBe(200);
    expect((await as(coach, calls[3]!)).status).toBe(403);
  });

  it('mass assignment: roles, athleteId and other unknown fields are refused, not stored', async () => {
    const reg = await api<{ code: string; errors: { field: string }[] }>(gw.url, 'POST', '/users/v1/auth/register', {
      body: { email: 'mallory@example.com', password: 'correct horse battery', displayName: 'M', roles: ['admin'] },
    });
    expect(reg.status).toBe(400);
    expect(reg.body.errors[0]!.field).toBe('body.roles');
    const session = await as(b, {
      method: 'POST',
      path: '/training/v1/sessions',
      body: { ...SESSION, athleteId: a.id },
    });
    expect(session.status).toBe(400);
    const me = await api<{ etag?: string }>(gw.url, 'GET', '/users/v1/me/profile', { token: b.tokens.accessToken });
    const put = await api(gw.url, 'PUT', '/users/v1/me/profile', {
      token: b.tokens.accessToken,
      headers: { 'if-match': me.headers.get('etag')! },
      body: { ...PROFILE, athleteId: a.id },
    });
    expect(put.status).toBe(400);
    const list = await api<{ items: { athleteId: string }[] }>(gw.url, 'GET', '/training/v1/sessions', {
      token: a.tokens.accessToken,
    });
    expect(list.body.items.every((s) => s.athleteId === a.id)).toBe(true);
  });

  it('SSRF: neither an absolute request target, a Host header nor a //host path picks the upstream', async () => {
    const target = await echoUpstream();
    try {
      const token = { authorization: `Bearer ${a.tokens.accessToken}` };
      for (const [path, headers] of [
        [`${target.url}/v1/x`, token],
        ['//127.0.0.1/v1/x', token],
        ['/tracking/v1/x', { ...token, host: new URL(target.url).host }],
      ] as const) {
        const r = await rawRequest(gw.url, 'GET', path, headers);
        expect(r.status, path).not.toBe(500);
      }
      expect(target.seen).toEqual([]);
    } finally {
      await target.app.close();
    }
  });
});
