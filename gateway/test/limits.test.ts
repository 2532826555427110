import { connect } from 'node:net';
import { startRedis, type TestRedis } from '@wattstream/infra/testing';
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
  startUsers,
  tableWith,
  type Users,
} from './support.js';

const BUDGET = 6;

/** Rate limits, body limits, deep JSON and slow clients (OWASP API4: unrestricted resource consumption). */
describe('gateway resource limits', () => {
  let users: Users;
  let echo: Awaited<ReturnType<typeof echoUpstream>>;
  let table: RouteTable;
  let file: string;

  beforeAll(async () => {
    users = await startUsers();
    echo = await echoUpstream();
    table = tableWith({}, [
      {
        id: 'per-user',
        prefix: '/tracking/v1/user-budget',
        service: 'tracking',
        auth: 'user',
        rateLimit: 'tight-user',
      },
      { id: 'per-ip', prefix: '/tracking/v1/ip-budget', service: 'tracking', auth: 'anonymous', rateLimit: 'tight-ip' },
      {
        id: 'per-route',
        prefix: '/tracking/v1/route-budget',
        service: 'tracking',
        auth: 'user',
        rateLimit: 'tight-route',
      },
      { id: 'small', prefix: '/tracking/v1/small', service: 'tracking', auth: 'user', bodyLimit: '1KiB' },
    ]);
    table.rateLimits['tight-user'] = { user: { max: BUDGET, window: '1m' } };
    table.rateLimits['tight-ip'] = { ip: { max: BUDGET, window: '1m' } };
    table.rateLimits['tight-route'] = { route: { max: BUDGET, window: '1m' } };
    file = routesFile(table).file;
  });
  afterAll(async () => {
    await echo?.app.close();
    await users?.destroy();
  });

  const hit = (gw: Gateway, path: string, token?: string) =>
    api<{ code?: string }>(gw.url, 'GET', path, token ? { token } : {});

  describe('rate limits on a shared Redis', () => {
    let gwA: Gateway;
    let gwB: Gateway;
    beforeAll(async () => {
      // a table route with a unique id per run, so budgets left in the shared Redis by an earlier run do not count
      const run = structuredClone(table);
      for (const r of run.routes) if (r.id.startsWith('per-')) r.id = `${r.id}-${Date.now().toString(36)}`;
      const f = routesFile(run).file;
      [gwA, gwB] = await Promise.all([
        startGateway({ users: users.url, tracking: echo.url }, { GATEWAY_ROUTES_FILE: f }),
        startGateway({ users: users.url, tracking: echo.url }, { GATEWAY_ROUTES_FILE: f }),
      ]);
    });
    afterAll(async () => {
      await Promise.all([gwA?.stop(), gwB?.stop()]);
    });

    it('two replicas spend one per-user budget; the next request is a 429 with Retry-After and RateLimit-*', async () => {
      const u = await signUp(`${gwA.url}/users`);
      for (let i = 0; i < BUDGET; i++) {
        const r = await hit(i % 2 ? gwB : gwA, '/tracking/v1/user-budget/x', u.tokens.accessToken);
        expect(r.status, `request ${i + 1}`).toBe(200);
        expect(r.headers.get('ratelimit-limit')).toBe(String(BUDGET));
        expect(r.headers.get('ratelimit-remaining')).toBe(String(BUDGET - 1 - i));
      }
      for (const gw of [gwA, gwB]) {
        const r = await hit(gw, '/tracking/v1/user-budget/x', u.tokens.accessToken);
        expect(r.status).toBe(429);
        expect(r.body.code).toBe('WS_GATEWAY_RATE_LIMITED');
        expect(r.headers.get('content-type')).toMatch(/problem\+json/);
        expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(r.headers.get('ratelimit-remaining')).toBe('0');
        expect(Number(r.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
      }
      // another user has a budget of their own
      const other = await signUp(`${gwA.url}/users`);
      expect((await hit(gwB, '/tracking/v1/user-budget/x', other.tokens.accessToken)).status).toBe(200);
      expect(await gwA.metric('wattstream_gateway_rate_limited_total', { scope: 'user' })).toBe(1);
    });

    it('limits anonymous callers per IP, and a whole route across users', async () => {
      for (let i = 0; i < BUDGET; i++)
        expect((await hit(i % 2 ? gwB : gwA, '/tracking/v1/ip-budget')).status).toBe(200);
      expect((await hit(gwA, '/tracking/v1/ip-budget')).status).toBe(429);
      const riders = await Promise.all([signUp(`${gwA.url}/users`), signUp(`${gwA.url}/users`)]);
      for (let i = 0; i < BUDGET; i++) {
        const r = await hit(i % 2 ? gwB : gwA, '/tracking/v1/route-budget', riders[i % 2]!.tokens.accessToken);
        expect(r.status).toBe(200);
      }
      const r = await hit(gwB, '/tracking/v1/route-budget', riders[0]!.tokens.accessToken);
      expect(r.status).toBe(429);
    });
  });

  describe('when Redis is down', () => {
    let redis: TestRedis;
    let gw: Gateway;
    beforeAll(async () => {
      redis = await startRedis();
      gw = await startGateway(
        { users: users.url, tracking: echo.url },
        { GATEWAY_ROUTES_FILE: file, REDIS_URL: redis.url, GATEWAY_REDIS_TIMEOUT: '200ms' },
      );
    });
    afterAll(async () => {
      await gw?.stop();
      await redis?.destroy();
    });

    it('degrades to local limits, loudly, and goes back to Redis when it returns', async () => {
      const u = await signUp(`${gw.url}/users`);
      expect((await hit(gw, '/tracking/v1/user-budget/x', u.tokens.accessToken)).status).toBe(200);
      expect(await gw.metric('wattstream_gateway_rate_limit_degraded')).toBe(0);
      await redis.node.stop();
      const v = await signUp(`${gw.url}/users`);
      for (let i = 0; i < BUDGET; i++) {
        expect((await hit(gw, '/tracking/v1/user-budget/x', v.tokens.accessToken)).status, `request ${i + 1}`).toBe(
          200,
        );
      }
      expect((await hit(gw, '/tracking/v1/user-budget/x', v.tokens.accessToken)).status).toBe(429);
      expect(await gw.metric('wattstream_gateway_rate_limit_degraded')).toBe(1);
      expect(await gw.metric('wattstream_gateway_rate_limit_store_errors_total')).toBeGreaterThan(0);
      await redis.node.start();
      await waitFor(
        async () => {
          await hit(gw, '/tracking/v1/user-budget/x', u.tokens.accessToken);
          return (await gw.metric('wattstream_gateway_rate_limit_degraded')) === 0;
        },
        { what: 'the limiter back on Redis', timeoutMs: 20_000, intervalMs: 300 },
      );
    });
  });

  describe('bodies', () => {
    let gw: Gateway;
    let token: string;
    beforeAll(async () => {
      gw = await startGateway(
        { users: users.url, tracking: echo.url },
        { GATEWAY_ROUTES_FILE: file, GATEWAY_MAX_JSON_DEPTH: '16', GATEWAY_BODY_TIMEOUT: '1s' },
      );
      token = (await signUp(`${gw.url}/users`)).tokens.accessToken;
    });
    afterAll(async () => {
      await gw?.stop();
    });

    const post = (path: string, body: string | ReadableStream, type = 'application/json') =>
      fetch(`${gw.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': type },
        body,
        ...(typeof body === 'string' ? {} : { duplex: 'half' }),
      } as RequestInit);

    it('passes a body within the route limit unchanged, and refuses a larger one with 413 before the service sees it', async () => {
      const ok = await post('/tracking/v1/small', JSON.stringify({ note: 'x'.repeat(900) }));
      expect(ok.status).toBe(200);
      expect(echo.seen.at(-1)!.body).toEqual({ note: 'x'.repeat(900) });
      const before = echo.seen.length;
      const big = await post('/tracking/v1/small', JSON.stringify({ note: 'x'.repeat(2000) }));
      expect(big.status).toBe(413);
      expect(((await big.json()) as { code: string }).code).toBe('WS_HTTP_BODY_TOO_LARGE');
      // no Content-Length (chunked): cut off while reading
      const chunks = new ReadableStream({
        start(c) {
          for (let i = 0; i < 8; i++) c.enqueue(new TextEncoder().encode('x'.repeat(512)));
          c.close();
        },
      });
      expect((await post('/tracking/v1/small', chunks, 'text/plain')).status).toBe(413);
      // the default limit (256 KiB) on a route without its own
      expect((await post('/tracking/v1/other', 'y'.repeat(300 * 1024), 'text/plain')).status).toBe(413);
      expect(echo.seen.length).toBe(before);
    });

    it('refuses deeply nested JSON with 400', async () => {
      const before = echo.seen.length;
      const deep = `${'['.repeat(17)}${']'.repeat(17)}`;
      const r = await post('/tracking/v1/x', deep);
      expect(r.status).toBe(400);
      expect(((await r.json()) as { code: string }).code).toBe('WS_GATEWAY_BODY_TOO_DEEP');
      expect((await post('/tracking/v1/x', `${'['.repeat(16)}${']'.repeat(16)}`)).status).toBe(200);
      // brackets inside strings are not nesting
      expect((await post('/tracking/v1/x', JSON.stringify({ s: '['.repeat(100) }))).status).toBe(200);
      expect(echo.seen.length).toBe(before + 2);
    });

    it('answers a client that trickles its body with 408 and closes the connection', async () => {
      const before = echo.seen.length;
      const u = new URL(gw.url);
      const socket = connect(Number(u.port), u.hostname);
      let answer = '';
      socket.on('data', (d) => {
        answer += d.toString();
      });
      const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
      socket.write(
        `POST /tracking/v1/x HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\nContent-Type: text/plain\r\nContent-Length: 100\r\n\r\nab`,
      );
      const trickle = setInterval(() => socket.writable && socket.write('c'), 200);
      await closed;
      clearInterval(trickle);
      expect(answer).toMatch(/^HTTP\/1\.1 408/);
      expect(answer).toContain('WS_GATEWAY_BODY_TIMEOUT');
      expect(echo.seen.length).toBe(before);
    });
  });
});
