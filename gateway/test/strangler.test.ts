import { freePort } from '@wattstream/infra';
import { Authenticator, type Identity } from '@wattstream/kernel';
import { waitFor } from '@wattstream/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteTable } from '../src/index.js';
import {
  api,
  echoUpstream,
  type Gateway,
  routesFile,
  signUp,
  startGateway,
  startLegacy,
  startUsers,
  tableWith,
  type Users,
} from './support.js';

type Page = { items: { id: string; athleteId: string }[]; nextCursor: string | null };

const session = (day: number, avgPower: number) => ({
  startedAt: `2026-04-${String(day).padStart(2, '0')}T07:00:00.000Z`,
  endedAt: `2026-04-${String(day).padStart(2, '0')}T08:30:00.000Z`,
  summary: {
    durationS: 5400,
    movingS: 5300,
    distanceM: 45_000,
    kj: 1100,
    avgPower,
    normalizedPower: avgPower + 12,
    intensity: 0.82,
    load: 95,
    avgHr: 138,
    maxHr: 171,
  },
});

/** The /training strangler: legacy → shadow → new by editing the route table, under load, no restart. */
describe('gateway strangler routing for /training', () => {
  let users: Users;
  let legacy: Awaited<ReturnType<typeof startLegacy>>;
  let fresh: Awaited<ReturnType<typeof echoUpstream>>;
  let gw: Gateway;
  let routes: ReturnType<typeof routesFile>;
  let a: Awaited<ReturnType<typeof signUp>>;
  let b: Awaited<ReturnType<typeof signUp>>;
  /** What the new training service holds, by athlete (as its own projection would). */
  const store = new Map<string, Page>();
  let gatewayJwks = '';

  const tableFor = (upstream: 'legacy' | 'shadow' | 'new'): RouteTable =>
    tableWith({
      training: { upstream, shadow: { volatile: ['nextCursor'] } },
      'training-athlete': { upstream },
      'training-uploads': { upstream },
    });

  beforeAll(async () => {
    users = await startUsers();
    // A small real stand-in for the training service with its interface (GET /v1/sessions): it
    // authenticates with the gateway's identity header only, as a service behind the gateway does.
    let auth: Authenticator | undefined;
    fresh = await echoUpstream((app) => {
      app.get('/v1/sessions', async (req, reply) => {
        auth ??= new Authenticator({
          jwksUrl: `${users.url}/.well-known/jwks.json`,
          issuer: 'wattstream',
          audience: 'wattstream:user',
          gatewayJwksUrl: gatewayJwks,
        });
        let who: Identity;
        try {
          if (!req.headers['x-wattstream-identity']) throw new Error('no identity header');
          who = await auth.authenticate(req);
        } catch {
          return reply.status(401).send({ code: 'WS_AUTH_REQUIRED' });
        }
        const page = store.get(who.userId) ?? { items: [], nextCursor: null };
        return reply.header('x-served-by', 'training').send({ ...page, nextCursor: page.nextCursor && 'v2-cursor' });
      });
    });
    const legacyPort = await freePort();
    routes = routesFile(tableFor('legacy'));
    gw = await startGateway(
      { users: users.url, legacy: `http://127.0.0.1:${legacyPort}`, training: fresh.url },
      { GATEWAY_ROUTES_FILE: routes.file, GATEWAY_ROUTES_POLL: '100ms' },
    );
    gatewayJwks = `${gw.url}/.well-known/gateway-jwks.json`;
    legacy = await startLegacy({ port: legacyPort, usersUrl: users.url, gatewayUrl: gw.url });
    [a, b] = await Promise.all([
      signUp(`${gw.url}/users`, { name: 'ann' }),
      signUp(`${gw.url}/users`, { name: 'ben' }),
    ]);
    // History lives in the legacy system; the new service has been backfilled with the same rows,
    // except one of Ben's sessions it got wrong.
    for (const [who, days] of [
      [a, [3, 5, 9]],
      [b, [4, 6]],
    ] as const) {
      for (const d of days) {
        const r = await api(gw.url, 'POST', '/training/v1/sessions', {
          token: who.tokens.accessToken,
          body: session(d, 200 + d),
        });
        expect(r.status).toBe(201);
      }
      const page = await api<Page>(gw.url, 'GET', '/training/v1/sessions?limit=2', { token: who.tokens.accessToken });
      store.set(who.id, structuredClone(page.body));
    }
    const benPage = store.get(b.id)!;
    (benPage.items[0] as unknown as { summary: { avgPower: number } }).summary.avgPower = 999;
  });
  afterAll(async () => {
    await gw?.stop();
    await legacy?.destroy();
    await fresh?.app.close();
    await users?.destroy();
  });

  it('moves /training legacy → shadow → new by editing the route table: no restart, no failed request, diffs counted', async () => {
    const outcomes: { status: number; servedBy: string | null; at: number }[] = [];
    let running = true;
    const client = async (who: typeof a) => {
      while (running) {
        const res = await fetch(`${gw.url}/training/v1/sessions?limit=2`, {
          headers: { authorization: `Bearer ${who.tokens.accessToken}` },
        }).catch(() => undefined);
        outcomes.push({ status: res?.status ?? 0, servedBy: res?.headers.get('x-served-by') ?? null, at: Date.now() });
        await res?.arrayBuffer();
      }
    };
    const load = Promise.all([client(a), client(b), client(a), client(b)]);
    try {
      await waitFor(() => outcomes.length > 20, { what: 'load running' });
      expect(outcomes.every((o) => o.servedBy === null)).toBe(true);

      // legacy → shadow: clients still get legacy's answers; the new service gets copies
      routes.write(tableFor('shadow'));
      await waitFor(async () => (await gw.metric('wattstream_gateway_shadow_requests_total')) >= 20, {
        what: 'shadowed requests',
      });
      expect(await gw.metric('wattstream_gateway_shadow_requests_total', { outcome: 'match' })).toBeGreaterThan(0);
      const diffs = await gw.metric('wattstream_gateway_shadow_diffs_total', { route: 'training' });
      expect(diffs).toBeGreaterThan(0);
      expect(await gw.metric('wattstream_gateway_shadow_requests_total', { outcome: 'error' })).toBeNaN();
      expect(outcomes.every((o) => o.servedBy === null)).toBe(true);

      // shadow → new, timed from the file write to the first answer of the new service
      const switchedAt = Date.now();
      routes.write(tableFor('new'));
      await waitFor(() => outcomes.some((o) => o.servedBy === 'training'), { what: 'answers from the new service' });
      const first = outcomes.find((o) => o.servedBy === 'training')!;
      process.stderr.write(`[strangler] shadow → new took effect ${first.at - switchedAt} ms after the file write\n`);
      expect(first.at - switchedAt).toBeLessThan(5000);
      const n = outcomes.length;
      await waitFor(() => outcomes.length > n + 20, { what: 'more load' });
      expect(outcomes.slice(n + 4).every((o) => o.servedBy === 'training')).toBe(true);

      // a broken edit keeps the table in force
      routes.write('{"version": 1, "routes": [');
      await waitFor(
        async () => (await gw.metric('wattstream_gateway_route_table_reloads_total', { outcome: 'invalid' })) === 1,
        { what: 'the invalid file refused' },
      );
      const m = outcomes.length;
      await waitFor(() => outcomes.length > m + 20, { what: 'more load' });
      expect(outcomes.slice(m).every((o) => o.servedBy === 'training')).toBe(true);
    } finally {
      running = false;
      await load;
    }
    const failed = outcomes.filter((o) => o.status !== 200);
    expect(failed, `${failed.length} of ${outcomes.length} requests failed`).toEqual([]);
    expect(await gw.metric('wattstream_gateway_route_table_reloads_total', { outcome: 'applied' })).toBe(2);
  }, 60_000);

  it('shadow copies only reads: a write in shadow mode reaches legacy once and the new service never', async () => {
    routes.write(tableFor('shadow'));
    await waitFor(
      async () => (await gw.metric('wattstream_gateway_route_table_reloads_total', { outcome: 'applied' })) === 3,
      { what: 'shadow table applied' },
    );
    const before = fresh.seen.length;
    const r = await api(gw.url, 'POST', '/training/v1/sessions', {
      token: a.tokens.accessToken,
      body: session(20, 250),
    });
    expect(r.status).toBe(201);
    expect(fresh.seen.length).toBe(before);
    const list = await api<Page>(legacy.url, 'GET', '/training/v1/sessions', { token: a.tokens.accessToken });
    expect(list.body.items.filter((s) => s.id.endsWith(String(Date.parse(session(20, 250).startedAt))))).toHaveLength(
      1,
    );
  });
});
