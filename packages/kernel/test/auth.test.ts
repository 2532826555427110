import { port } from '@wattstream/platform';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  defineService,
  INTERNAL_IDENTITY,
  INTERNAL_IDENTITY_HEADER,
  identityOf,
  type RunningService,
  startService,
} from '../src/index.js';
import { jwksServer, type KeyPair } from './support.js';

const whoami = defineService({
  name: 'kernel-auth-probe',
  description: 'answers who the caller is',
  port: port('PROBE_PORT', { default: 0, allowZero: true }),
  config: {},
  start(ctx) {
    const toIdentity = (req: Parameters<typeof identityOf>[0]) => {
      const { userId, roles, claims } = identityOf(req);
      return { userId, roles, sid: claims.sid, jti: claims.jti, rid: claims.rid };
    };
    ctx.http.get('/v1/whoami', { preHandler: ctx.auth.required() }, async (req) => toIdentity(req));
    ctx.http.get('/v1/coach-only', { preHandler: ctx.auth.required({ roles: ['coach'] }) }, async (req) =>
      toIdentity(req),
    );
  },
});

describe('kernel auth: the gateway identity header', () => {
  let users: Awaited<ReturnType<typeof jwksServer>>;
  let gateway: Awaited<ReturnType<typeof jwksServer>>;
  let stranger: Awaited<ReturnType<typeof jwksServer>>;
  type Running = Pick<RunningService<unknown, unknown>, 'url' | 'stop'>;
  let trusting: Running;
  let untrusting: Running;

  const userToken = (o: { roles?: string[] } = {}) =>
    new SignJWT({ roles: o.roles ?? ['athlete'], sid: 'family-1' })
      .setProtectedHeader({ alg: 'EdDSA', kid: 'users-1', typ: 'JWT' })
      .setIssuer('wattstream')
      .setAudience('wattstream:user')
      .setSubject('athlete-1')
      .setIssuedAt()
      .setExpirationTime('5m')
      .setJti('token-1')
      .sign(users.keys.privateKey);

  const identity = (
    o: { key?: KeyPair['privateKey']; kid?: string; roles?: string[]; exp?: number; aud?: string; typ?: string } = {},
  ) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ roles: o.roles ?? ['athlete'], sid: 'family-1', jti: 'token-1', rid: 'req-1' })
      .setProtectedHeader({ alg: 'EdDSA', kid: o.kid ?? 'gateway-1', typ: o.typ ?? INTERNAL_IDENTITY.type })
      .setIssuer(INTERNAL_IDENTITY.issuer)
      .setAudience(o.aud ?? INTERNAL_IDENTITY.audience)
      .setSubject('athlete-1')
      .setIssuedAt(now - 120)
      .setExpirationTime(o.exp ?? now + 60)
      .sign(o.key ?? gateway.keys.privateKey);
  };

  const call = async (svc: Running, path: string, headers: Record<string, string>) => {
    const res = await fetch(`${svc.url}${path}`, { headers });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    [users, gateway, stranger] = await Promise.all([jwksServer('users-1'), jwksServer('gateway-1'), jwksServer('x-1')]);
    const env = { LOG_LEVEL: 'silent', PROBE_PORT: '0', AUTH_JWKS_URL: users.url };
    trusting = await startService(whoami, { env: { ...env, AUTH_GATEWAY_JWKS_URL: gateway.url } });
    untrusting = await startService(whoami, { env });
  });
  afterAll(async () => {
    await Promise.all([trusting?.stop(), untrusting?.stop()]);
    for (const s of [users, gateway, stranger]) s?.server.close();
  });

  it('accepts the identity header signed by the gateway, with its claims, and no bearer token', async () => {
    const r = await call(trusting, '/v1/whoami', { [INTERNAL_IDENTITY_HEADER]: await identity() });
    expect(r).toEqual({
      status: 200,
      body: { userId: 'athlete-1', roles: ['athlete'], sid: 'family-1', jti: 'token-1', rid: 'req-1' },
    });
  });

  it('keeps accepting bearer tokens for direct calls', async () => {
    const r = await call(trusting, '/v1/whoami', { authorization: `Bearer ${await userToken()}` });
    expect(r.status).toBe(200);
    expect(r.body.userId).toBe('athlete-1');
  });

  it('refuses an invalid header with 401 even beside a valid bearer token', async () => {
    const bearer = { authorization: `Bearer ${await userToken({ roles: ['coach'] })}` };
    const forged = [
      await identity({ key: stranger.keys.privateKey }), // another key under the gateway's kid
      await identity({ kid: 'x-1', key: stranger.keys.privateKey }), // a kid the gateway never published
      await identity({ exp: Math.floor(Date.now() / 1000) - 120 }), // expired beyond the skew
      await identity({ aud: 'wattstream:user' }), // not meant for services
      await identity({ typ: 'JWT' }), // not an identity header
      await userToken(), // a user's token is not an identity header
      'not-a-jws',
    ];
    for (const h of forged) {
      const r = await call(trusting, '/v1/whoami', { ...bearer, [INTERNAL_IDENTITY_HEADER]: h });
      expect(r.status, h.slice(0, 40)).toBe(401);
      expect(r.body.code).toBe('WS_AUTH_REQUIRED');
    }
  });

  it('enforces roles from the header', async () => {
    expect((await call(trusting, '/v1/coach-only', { [INTERNAL_IDENTITY_HEADER]: await identity() })).status).toBe(403);
    const coach = await identity({ roles: ['athlete', 'coach'] });
    expect((await call(trusting, '/v1/coach-only', { [INTERNAL_IDENTITY_HEADER]: coach })).status).toBe(200);
  });

  it('ignores the header when the service does not trust a gateway (AUTH_GATEWAY_JWKS_URL unset)', async () => {
    const r = await call(untrusting, '/v1/whoami', { [INTERNAL_IDENTITY_HEADER]: await identity() });
    expect(r.status).toBe(401);
    const bearer = await call(untrusting, '/v1/whoami', {
      [INTERNAL_IDENTITY_HEADER]: await identity({ key: stranger.keys.privateKey }),
      authorization: `Bearer ${await userToken()}`,
    });
    expect(bearer.status).toBe(200);
  });
});
