import { createHmac, type createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { loadTokenKeys, signToken, TOKEN_AUDIENCE } from '@wattstream/platform';
import { waitFor } from '@wattstream/testkit';
import { decodeProtectedHeader, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, echoUpstream, type Gateway, PASSWORD, signUp, startGateway, startUsers, type Users } from './support.js';

/** OWASP API2:2023 broken authentication, at the gateway, with the users service's real tokens. */
describe('gateway authentication', () => {
  let users: Users;
  let echo: Awaited<ReturnType<typeof echoUpstream>>;
  let gw: Gateway;
  let rider: Awaited<ReturnType<typeof signUp>>;

  beforeAll(async () => {
    users = await startUsers();
    echo = await echoUpstream();
    gw = await startGateway({ users: users.url, tracking: echo.url });
    rider = await signUp(`${gw.url}/users`);
  });
  afterAll(async () => {
    await gw?.stop();
    await echo?.app.close();
    await users?.destroy();
  });

  const keys = () => users.result.keys;
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const claims = () => ({ sub: rider.id, roles: ['athlete'], iss: 'wattstream', aud: 'wattstream:user' });
  /** A request to a route that only the gateway guards (the echo upstream checks nothing). */
  const call = (token: string | undefined) =>
    api<{ code?: string }>(gw.url, 'GET', '/tracking/v1/sessions', token ? { token } : {});

  it('passes a valid token and forwards the request', async () => {
    const before = echo.seen.length;
    expect((await call(rider.tokens.accessToken)).status).toBe(200);
    expect(echo.seen.length).toBe(before + 1);
  });

  it('refuses missing, expired, not-yet-valid, wrong-audience and wrong-issuer tokens, before any service sees them', async () => {
    const sign = (o: Partial<Parameters<ReturnType<typeof keys>['sign']>[0]>) =>
      keys()
        .sign({
          subject: rider.id,
          audience: 'wattstream:user',
          issuer: 'wattstream',
          ttlMs: 600_000,
          claims: { roles: ['athlete'] },
          ...o,
        })
        .then((t) => t.token);
    const now = Math.floor(Date.now() / 1000);
    const notYet = await new SignJWT({ roles: ['athlete'] })
      .setProtectedHeader({ alg: 'EdDSA', kid: keys().activeKid })
      .setIssuer('wattstream')
      .setAudience('wattstream:user')
      .setSubject(rider.id)
      .setIssuedAt(now)
      .setNotBefore(now + 300)
      .setExpirationTime(now + 900)
      .sign(privateKeyOfRing());
    const cases: [string, string | undefined][] = [
      ['missing', undefined],
      ['expired', await sign({ ttlMs: -120_000 })],
      ['not yet valid', notYet],
      ['edge audience', await sign({ audience: TOKEN_AUDIENCE.edge })],
      ['other issuer', await sign({ issuer: 'someone-else' })],
    ];
    const before = echo.seen.length;
    for (const [name, token] of cases) {
      const r = await call(token);
      expect(r.status, name).toBe(401);
      expect(r.body.code, name).toBe('WS_AUTH_REQUIRED');
      expect(r.headers.get('www-authenticate'), name).toMatch(/^Bearer /);
    }
    expect(echo.seen.length).toBe(before);
  });

  it('refuses forged signatures: another key under the real kid, alg none, HS256 keyed with the public key', async () => {
    const kid = decodeProtectedHeader(rider.tokens.accessToken).kid!;
    const other = generateKeyPairSync('ed25519').privateKey;
    const now = Math.floor(Date.now() / 1000);
    const payload = { ...claims(), iat: now, exp: now + 600 };
    const forged = await new SignJWT({ roles: ['admin'] })
      .setProtectedHeader({ alg: 'EdDSA', kid })
      .setIssuer('wattstream')
      .setAudience('wattstream:user')
      .setSubject(rider.id)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(other);
    const none = `${b64({ alg: 'none', kid })}.${b64(payload)}.`;
    const publicX = (keys()
      .jwks()
      .keys.find((k) => k.kid === kid)?.x ?? '') as string;
    const hsInput = `${b64({ alg: 'HS256', kid, typ: 'JWT' })}.${b64(payload)}`;
    const hs = `${hsInput}.${createHmac('sha256', Buffer.from(publicX, 'base64url')).update(hsInput).digest('base64url')}`;
    const hsJwk = `${hsInput}.${createHmac('sha256', JSON.stringify(keys().jwks().keys[0])).update(hsInput).digest('base64url')}`;
    // a token of the platform's development key (`pnpm stream token`): a key the users JWKS never had
    const platform = await signToken(
      loadTokenKeys(
        { jwtPrivateKey: undefined, jwtPublicKey: undefined, jwtAlg: 'EdDSA', jwtIssuer: 'wattstream' },
        gw.dataDir,
      ),
      { subject: rider.id, audience: TOKEN_AUDIENCE.user, ttlMs: 600_000, claims: { roles: ['admin'] } },
    );
    for (const [name, token] of [
      ['other key, real kid', forged],
      ['alg none', none],
      ['HS256 with the public key', hs],
      ['HS256 with the JWK', hsJwk],
      ['platform key', platform],
      ['garbage', 'a.b.c'],
    ] as const) {
      expect((await call(token)).status, name).toBe(401);
    }
  });

  it('follows a key rotation: a token of the new kid passes without a restart, the retired key still verifies', async () => {
    expect((await call(rider.tokens.accessToken)).status).toBe(200); // the JWKS is cached now
    const oldKid = keys().activeKid;
    await keys().rotate();
    expect(keys().activeKid).not.toBe(oldKid);
    const login = await api<{ accessToken: string }>(gw.url, 'POST', '/users/v1/auth/login', {
      body: { email: rider.email, password: PASSWORD },
    });
    expect(decodeProtectedHeader(login.body.accessToken).kid).toBe(keys().activeKid);
    // jose refetches on an unknown kid, at most once per 30 s cooldown
    await waitFor(async () => (await call(login.body.accessToken)).status === 200, {
      what: 'the new key accepted',
      timeoutMs: 45_000,
      intervalMs: 500,
    });
    expect((await call(rider.tokens.accessToken)).status).toBe(200);
  }, 60_000);

  it('refuses the tokens of a deleted account (user.account.deleted), though they are still signed and unexpired', async () => {
    const victim = await signUp(`${gw.url}/users`, { name: 'leaver' });
    expect((await call(victim.tokens.accessToken)).status).toBe(200);
    const del = await api(gw.url, 'DELETE', '/users/v1/me', {
      token: victim.tokens.accessToken,
      body: { password: PASSWORD },
    });
    expect(del.status).toBe(204);
    const refused = await waitFor(
      async () => {
        const r = await call(victim.tokens.accessToken);
        return r.status === 401 ? r : undefined;
      },
      { what: 'the deleted account refused at the gateway', timeoutMs: 20_000 },
    );
    expect(refused.body.code).toBe('WS_AUTH_REQUIRED');
    expect((await call(rider.tokens.accessToken)).status).toBe(200);
  });

  function privateKeyOfRing() {
    // The ring keeps its keys private; sign "not yet valid" with the active one through a PKCS#8 export.
    const ring = keys() as unknown as { keys: { kid: string; privateKey: ReturnType<typeof createPrivateKey> }[] };
    return ring.keys.find((k) => k.kid === keys().activeKid)!.privateKey;
  }
});
