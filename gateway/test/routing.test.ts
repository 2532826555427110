import { INTERNAL_IDENTITY, INTERNAL_IDENTITY_HEADER } from '@wattstream/kernel';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  echoUpstream,
  type Gateway,
  rawRequest,
  routesFile,
  type Seen,
  signUp,
  startGateway,
  startUsers,
  tableWith,
  type Users,
} from './support.js';

describe('gateway routing and transforms', () => {
  let users: Users;
  let echo: Awaited<ReturnType<typeof echoUpstream>>;
  let gw: Gateway;
  let rider: Awaited<ReturnType<typeof signUp>>;
  const ALLOWED_ORIGIN = 'https://app.wattstream.test';

  beforeAll(async () => {
    users = await startUsers();
    echo = await echoUpstream();
    const { file } = routesFile(
      tableWith(
        {
          tracking: {
            requestHeaders: { add: { 'x-api-version': '1' }, remove: ['x-debug'] },
            responseHeaders: { add: { 'x-served-by': 'gateway' }, remove: ['x-upstream-secret'] },
          },
        },
        [
          {
            id: 'analytics-reports',
            prefix: '/analytics/v1/reports',
            service: 'analytics',
            auth: 'user',
            rewrite: { stripPrefix: '/analytics/v1/reports', addPrefix: '/v2/report-archive' },
          },
        ],
      ),
    );
    gw = await startGateway(
      { users: users.url, tracking: echo.url, analytics: echo.url, social: 'http://127.0.0.1:9' },
      { GATEWAY_ROUTES_FILE: file, GATEWAY_CORS_ORIGINS: ALLOWED_ORIGIN },
    );
    rider = await signUp(`${gw.url}/users`);
  });
  afterAll(async () => {
    await gw?.stop();
    await echo?.app.close();
    await users?.destroy();
  });

  const lastSeen = (): Seen => echo.seen.at(-1)!;

  it('routes /users to the users service with its prefix stripped: sign-up, login and /me through one origin', async () => {
    const me = await api<{ id: string }>(gw.url, 'GET', '/users/v1/me', { token: rider.tokens.accessToken });
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(rider.id);
    const jwks = await api<{ keys: unknown[] }>(gw.url, 'GET', '/users/.well-known/jwks.json');
    expect(jwks.status).toBe(200);
    expect(jwks.body.keys.length).toBeGreaterThan(0);
  });

  it('answers unknown paths with a 404 problem, without reaching any service', async () => {
    const before = echo.seen.length;
    // a prefix that covers a whole service still does not reach its operations endpoints
    const ops = ['/tracking/metrics', '/tracking/readyz', '/tracking/healthz', '/tracking/admin/log-levels'];
    for (const path of ['/nope', '/', '/usersx/v1/me', '/v1/me', ...ops, '/tracking/Metrics?x=1']) {
      const res = await fetch(`${gw.url}${path}`, { headers: { authorization: `Bearer ${rider.tokens.accessToken}` } });
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(((await res.json()) as { code: string }).code).toBe('WS_HTTP_NOT_FOUND');
    }
    expect(echo.seen.length).toBe(before);
  });

  it('refuses paths with dot segments, encoded slashes or backslashes', async () => {
    const before = echo.seen.length;
    for (const path of [
      '/tracking/../users/v1/me',
      '/tracking/%2e%2e/x',
      '/tracking/a%2Fb',
      '/tracking//x',
      '/tracking/a\\b',
    ]) {
      const res = await rawRequest(gw.url, 'GET', path, { authorization: `Bearer ${rider.tokens.accessToken}` });
      expect(res.status, path).toBe(400);
      expect(JSON.parse(res.body).code).toBe('WS_GATEWAY_PATH_INVALID');
    }
    expect(echo.seen.length).toBe(before);
  });

  it('rewrites paths, applies header rules, and keeps the query string', async () => {
    await api(gw.url, 'GET', '/tracking/v1/sessions/s1/samples?points=100&x=a%20b', {
      token: rider.tokens.accessToken,
      headers: { 'x-debug': 'yes' },
    });
    const s = lastSeen();
    expect(s.url).toBe('/v1/sessions/s1/samples?points=100&x=a%20b');
    expect(s.headers['x-api-version']).toBe('1');
    expect(s.headers['x-debug']).toBeUndefined();
    await api(gw.url, 'GET', '/analytics/v1/reports/2026?y=1', { token: rider.tokens.accessToken });
    expect(lastSeen().url).toBe('/v2/report-archive/2026?y=1');
  });

  it('cleans response headers: no upstream software banner, no upstream CORS, the route’s own added', async () => {
    const res = await fetch(`${gw.url}/tracking/v1/x`, {
      headers: { authorization: `Bearer ${rider.tokens.accessToken}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('server')).toBeNull();
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('x-served-by')).toBe('gateway');
  });

  it('forwards a signed identity header in place of any the client sent, verifiable with the gateway JWKS', async () => {
    await api(gw.url, 'GET', '/tracking/v1/me', {
      token: rider.tokens.accessToken,
      headers: { [INTERNAL_IDENTITY_HEADER]: 'forged-by-the-client', 'x-request-id': 'req-abc-123' },
    });
    const header = lastSeen().headers[INTERNAL_IDENTITY_HEADER] as string;
    expect(header).not.toBe('forged-by-the-client');
    const keys = createRemoteJWKSet(new URL(`${gw.url}/.well-known/gateway-jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(header, keys, {
      issuer: INTERNAL_IDENTITY.issuer,
      audience: INTERNAL_IDENTITY.audience,
      typ: INTERNAL_IDENTITY.type,
      algorithms: ['EdDSA'],
    });
    expect(protectedHeader.alg).toBe('EdDSA');
    expect(payload.sub).toBe(rider.id);
    expect(payload.roles).toEqual(['athlete']);
    expect(payload.rid).toBe('req-abc-123');
    expect(typeof payload.sid).toBe('string');
    expect(typeof payload.jti).toBe('string');
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(60);
  });

  it('strips a client identity header on anonymous routes too', async () => {
    const { file } = routesFile(
      tableWith({}, [{ id: 'open', prefix: '/tracking/open', service: 'tracking', auth: 'anonymous' }]),
    );
    const open = await startGateway({ users: users.url, tracking: echo.url }, { GATEWAY_ROUTES_FILE: file });
    try {
      await api(open.url, 'GET', '/tracking/open/x', { headers: { [INTERNAL_IDENTITY_HEADER]: 'forged' } });
      expect(lastSeen().headers[INTERNAL_IDENTITY_HEADER]).toBeUndefined();
    } finally {
      await open.stop();
    }
  });

  it('propagates the request id and W3C trace context (same trace, the gateway as a new parent span)', async () => {
    const trace = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await fetch(`${gw.url}/tracking/v1/t`, {
      headers: {
        authorization: `Bearer ${rider.tokens.accessToken}`,
        traceparent: `00-${trace}-00f067aa0ba902b7-01`,
        tracestate: 'vendor=1',
        'x-request-id': 'trace-test-1',
      },
    });
    expect(res.headers.get('x-request-id')).toBe('trace-test-1');
    const h = lastSeen().headers;
    expect(h['x-request-id']).toBe('trace-test-1');
    expect(h.traceparent).toMatch(new RegExp(`^00-${trace}-[0-9a-f]{16}-01$`));
    expect(h.traceparent).not.toContain('00f067aa0ba902b7');
    expect(h.tracestate).toBe('vendor=1');
    await api(gw.url, 'GET', '/tracking/v1/t', {
      token: rider.tokens.accessToken,
      headers: { traceparent: 'garbage' },
    });
    expect(lastSeen().headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });

  it('sets security headers on every answer', async () => {
    for (const path of ['/users/v1/me', '/nope', '/openapi.json']) {
      const res = await fetch(`${gw.url}${path}`);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('strict-transport-security'), path).toMatch(/max-age=31536000/);
      expect(res.headers.get('content-security-policy'), path).toMatch(/frame-ancestors 'none'/);
      expect(res.headers.get('x-frame-options'), path).toBe('SAMEORIGIN');
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
    }
  });

  it('allows CORS only for configured origins', async () => {
    const preflight = (origin: string) =>
      fetch(`${gw.url}/users/v1/me`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
      });
    const ok = await preflight(ALLOWED_ORIGIN);
    expect(ok.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
    expect(ok.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    const evil = await preflight('https://evil.example');
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    const get = await fetch(`${gw.url}/users/v1/me`, {
      headers: { origin: 'https://evil.example', authorization: `Bearer ${rider.tokens.accessToken}` },
    });
    expect(get.headers.get('access-control-allow-origin')).toBeNull();
    const allowed = await fetch(`${gw.url}/users/v1/me`, {
      headers: { origin: ALLOWED_ORIGIN, authorization: `Bearer ${rider.tokens.accessToken}` },
    });
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ALLOWED_ORIGIN);
  });

  it('answers 503 with a problem when a service is not reachable', async () => {
    const res = await api<{ code: string }>(gw.url, 'GET', '/social/v1/feed', { token: rider.tokens.accessToken });
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('WS_GATEWAY_UPSTREAM_UNAVAILABLE');
    expect(res.headers.get('retry-after')).toBe('1');
  });

  it('counts requests per table route', async () => {
    const n = await gw.metric('wattstream_gateway_requests_total', { route: 'users', upstream: 'new', status: '200' });
    expect(n).toBeGreaterThan(0);
    expect(await gw.metric('wattstream_gateway_requests_total', { route: 'social', status: '503' })).toBe(1);
  });
});
