import { createHmac, generateKeyPairSync } from 'node:crypto';
import { TOKEN_AUDIENCE } from '@wattstream/platform';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, PASSWORD, signUp, startUsers, type Users } from './support.js';

let users: Users;
beforeAll(async () => {
  users = await startUsers();
}, 120_000);
afterAll(() => users?.destroy());

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('accounts', () => {
  it('registers, refuses a second account with the same e-mail, and logs in', async () => {
    const { id, email, tokens } = await signUp(users.url);
    expect(id).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    expect(tokens).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
    const again = await api(users.url, 'POST', '/v1/auth/register', {
      body: { email: email.toUpperCase(), password: PASSWORD, displayName: 'Twin' },
    });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'WS_USERS_EMAIL_TAKEN' });
    const me = await api(users.url, 'GET', '/v1/me', { token: tokens.accessToken });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id, email, roles: ['athlete'] });
  });

  it('refuses unknown fields (no self-assigned roles or ids) and weak passwords, naming the field', async () => {
    const roles = await api(users.url, 'POST', '/v1/auth/register', {
      body: { email: 'mass@example.com', password: PASSWORD, displayName: 'M', roles: ['admin'] },
    });
    expect(roles.status).toBe(400);
    expect(roles.body).toMatchObject({ code: 'WS_HTTP_VALIDATION', errors: [{ field: 'body.roles' }] });
    const id = await api(users.url, 'POST', '/v1/auth/register', {
      body: { email: 'mass@example.com', password: PASSWORD, displayName: 'M', id: 'sim-0001' },
    });
    expect(id.status).toBe(400);
    const short = await api(users.url, 'POST', '/v1/auth/register', {
      body: { email: 'short@example.com', password: 'abc', displayName: 'S' },
    });
    expect(short.status).toBe(400);
    expect(short.body).toMatchObject({ errors: [{ field: 'body.password' }] });
    const admin = await api(users.url, 'POST', '/v1/auth/register', {
      body: { email: 'adm@example.com', password: PASSWORD, displayName: 'A', accountType: 'admin' },
    });
    expect(admin.status).toBe(400);
  });

  it('answers a wrong password and an unknown e-mail the same way (no user enumeration)', async () => {
    const { email } = await signUp(users.url);
    const wrong = await api(users.url, 'POST', '/v1/auth/login', { body: { email, password: 'not the password' } });
    const unknown = await api(users.url, 'POST', '/v1/auth/login', {
      body: { email: 'nobody-here@example.com', password: 'not the password' },
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const strip = (b: unknown) => ({ ...(b as object), requestId: undefined });
    expect(strip(wrong.body)).toEqual(strip(unknown.body));
  });

  it('refuses oversized bodies before reading them', async () => {
    const r = await api(users.url, 'POST', '/v1/auth/register', {
      body: { email: 'big@example.com', password: PASSWORD, displayName: 'x'.repeat(400_000) },
    });
    expect(r.status).toBe(413);
    expect(r.body).toMatchObject({ code: 'WS_HTTP_BODY_TOO_LARGE' });
  });
});

describe('refresh tokens', () => {
  it('rotates on every use, and a reused token revokes the whole session', async () => {
    const { tokens } = await signUp(users.url);
    const first = await api<{ refreshToken: string; accessToken: string }>(users.url, 'POST', '/v1/auth/refresh', {
      body: { refreshToken: tokens.refreshToken },
    });
    expect(first.status).toBe(200);
    expect(first.body.refreshToken).not.toBe(tokens.refreshToken);
    // The old token again: someone copied it. Both it and the new one stop working.
    const reuse = await api(users.url, 'POST', '/v1/auth/refresh', { body: { refreshToken: tokens.refreshToken } });
    expect(reuse.status).toBe(401);
    expect(reuse.body).toMatchObject({ code: 'WS_USERS_REFRESH_INVALID' });
    const next = await api(users.url, 'POST', '/v1/auth/refresh', { body: { refreshToken: first.body.refreshToken } });
    expect(next.status).toBe(401);
  });

  it('logs out: the refresh token no longer works', async () => {
    const { tokens } = await signUp(users.url);
    expect(
      (await api(users.url, 'POST', '/v1/auth/logout', { body: { refreshToken: tokens.refreshToken } })).status,
    ).toBe(204);
    expect(
      (await api(users.url, 'POST', '/v1/auth/refresh', { body: { refreshToken: tokens.refreshToken } })).status,
    ).toBe(401);
  });
});

describe('access tokens', () => {
  const me = (token: string) => api(users.url, 'GET', '/v1/me', { token });

  it('refuses expired, forged, alg:none, HMAC-with-the-public-key, wrong-audience and foreign-key tokens', async () => {
    const { id, tokens } = await signUp(users.url);
    const [h, p, sig] = tokens.accessToken.split('.') as [string, string, string];
    const header = JSON.parse(Buffer.from(h, 'base64url').toString());
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString());

    const forged = `${h}.${b64({ ...payload, roles: ['admin'] })}.${sig}`;
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${p}.`;
    const jwk = users.result.keys.jwks().keys[0]!;
    const hs = `${b64({ alg: 'HS256', typ: 'JWT', kid: header.kid })}.${p}`;
    const hsToken = `${hs}.${createHmac('sha256', JSON.stringify(jwk)).update(hs).digest('base64url')}`;
    const expired = await users.result.keys.sign({
      subject: id,
      audience: 'wattstream:user',
      issuer: 'wattstream',
      ttlMs: -120_000,
    });
    const edgeAudience = await users.result.keys.sign({
      subject: id,
      audience: TOKEN_AUDIENCE.edge,
      issuer: 'wattstream',
      ttlMs: 60_000,
    });
    const otherIssuer = await users.result.keys.sign({
      subject: id,
      audience: 'wattstream:user',
      issuer: 'evil',
      ttlMs: 60_000,
    });
    const foreign = await new SignJWT({ roles: ['admin'] })
      .setProtectedHeader({ alg: 'EdDSA', kid: header.kid })
      .setSubject(id)
      .setIssuer('wattstream')
      .setAudience('wattstream:user')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(generateKeyPairSync('ed25519').privateKey);

    expect((await me(tokens.accessToken)).status).toBe(200);
    for (const [what, t] of Object.entries({
      forged,
      none,
      hsToken,
      expired: expired.token,
      edgeAudience: edgeAudience.token,
      otherIssuer: otherIssuer.token,
      foreign,
    })) {
      const r = await me(t);
      expect(r.status, what).toBe(401);
      expect(r.body, what).toMatchObject({ code: 'WS_AUTH_REQUIRED' });
    }
    expect((await api(users.url, 'GET', '/v1/me')).status).toBe(401);
  });

  it('keeps tokens of a replaced key valid, refuses those of a revoked key, and serves both states in the JWKS', async () => {
    const { tokens } = await signUp(users.url);
    const kidOf = (t: string) => JSON.parse(Buffer.from(t.split('.')[0]!, 'base64url').toString()).kid as string;
    const oldKid = kidOf(tokens.accessToken);

    await users.result.keys.rotate();
    const jwks1 = await api<{ keys: { kid: string; alg: string; crv: string }[] }>(
      users.url,
      'GET',
      '/.well-known/jwks.json',
    );
    expect(jwks1.body.keys.map((k) => k.kid)).toContain(oldKid);
    expect(jwks1.body.keys.every((k) => k.alg === 'EdDSA' && k.crv === 'Ed25519')).toBe(true);
    expect((await me(tokens.accessToken)).status).toBe(200);
    const login = await api<{ accessToken: string }>(users.url, 'POST', '/v1/auth/refresh', {
      body: { refreshToken: tokens.refreshToken },
    });
    const newKid = kidOf(login.body.accessToken);
    expect(newKid).not.toBe(oldKid);

    await users.result.keys.rotate({ revokePrevious: true });
    const jwks2 = await api<{ keys: { kid: string }[] }>(users.url, 'GET', '/.well-known/jwks.json');
    expect(jwks2.body.keys.map((k) => k.kid)).not.toContain(newKid);
    expect((await me(login.body.accessToken)).status).toBe(401);
  });
});
