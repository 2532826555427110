import type { Preferences, WebhookEndpointCreated } from '@wattstream/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addRole } from '../../users/src/store/users.js';
import { isPrivateAddress, webhookUrlProblem } from '../src/delivery/webhook.js';
import { api, type Notifications, PASSWORD, signUp, startNotifications, startUsers, type Users } from './support.js';

const PREFS = {
  channels: { live: true, email: false, webhook: true },
  kinds: { 'friend.ride.started': { live: false }, 'workout.assigned': { email: true } },
  quietHours: { start: '22:30', end: '07:00' },
  digest: 'hourly',
};

describe('notifications: preferences and webhook endpoints over REST', () => {
  let users: Users;
  let svc: Notifications;
  let alice: Awaited<ReturnType<typeof signUp>>;
  let bob: Awaited<ReturnType<typeof signUp>>;
  let adminToken: string;

  beforeAll(async () => {
    users = await startUsers();
    svc = await startNotifications(`${users.url}/.well-known/jwks.json`, { NOTIFICATIONS_WEBHOOK_MAX_ENDPOINTS: '2' });
    alice = await signUp(users.url, { name: 'alice' });
    bob = await signUp(users.url, { name: 'bob' });
    const admin = await signUp(users.url, { name: 'admin' });
    await addRole(users.ctx.db, admin.id, 'admin');
    const login = await api<{ accessToken: string }>(users.url, 'POST', '/v1/auth/login', {
      body: { email: admin.email, password: PASSWORD },
    });
    adminToken = login.body.accessToken;
  }, 120_000);
  afterAll(async () => {
    await svc?.destroy();
    await users?.destroy();
  });

  const prefsPath = (id: string) => `/v1/users/${id}/preferences`;

  it('starts from the defaults, saves a whole document, and refuses a stale If-Match', async () => {
    const t = alice.tokens.accessToken;
    const first = await api<Preferences>(svc.url, 'GET', prefsPath(alice.id), { token: t });
    expect(first.status).toBe(200);
    expect(first.headers.get('etag')).toBe('"v0"');
    expect(first.body).toMatchObject({
      userId: alice.id,
      channels: { live: true, email: true, webhook: true },
      quietHours: null,
      digest: 'daily',
      version: 0,
    });
    const saved = await api<Preferences>(svc.url, 'PUT', prefsPath(alice.id), {
      token: t,
      body: PREFS,
      headers: { 'if-match': '"v0"' },
    });
    expect(saved.status).toBe(200);
    expect(saved.headers.get('etag')).toBe('"v1"');
    expect(saved.body).toMatchObject({ ...PREFS, version: 1 });
    const stale = await api<{ code: string }>(svc.url, 'PUT', prefsPath(alice.id), {
      token: t,
      body: PREFS,
      headers: { 'if-match': '"v0"' },
    });
    expect(stale.status).toBe(412);
    expect(stale.body.code).toBe('WS_HTTP_PRECONDITION_FAILED');
    expect((await api<Preferences>(svc.url, 'GET', prefsPath(alice.id), { token: t })).body.version).toBe(1);
  });

  it("answers 404 for another user's preferences, read or write; an admin may read them but not write", async () => {
    const other = await api<{ code: string }>(svc.url, 'GET', prefsPath(alice.id), { token: bob.tokens.accessToken });
    expect(other.status).toBe(404);
    expect(other.body.code).toBe('WS_HTTP_NOT_FOUND');
    const write = await api(svc.url, 'PUT', prefsPath(alice.id), { token: bob.tokens.accessToken, body: PREFS });
    expect(write.status).toBe(404);
    expect(
      (await api(svc.url, 'GET', `/v1/users/${alice.id}/webhooks`, { token: bob.tokens.accessToken })).status,
    ).toBe(404);
    expect(
      (await api(svc.url, 'GET', `/v1/users/${alice.id}/notifications`, { token: bob.tokens.accessToken })).status,
    ).toBe(404);
    const admin = await api<Preferences>(svc.url, 'GET', prefsPath(alice.id), { token: adminToken });
    expect(admin.status).toBe(200);
    expect(admin.body.userId).toBe(alice.id);
    expect((await api(svc.url, 'PUT', prefsPath(alice.id), { token: adminToken, body: PREFS })).status).toBe(404);
    expect((await api(svc.url, 'GET', prefsPath(alice.id))).status).toBe(401);
  });

  it('refuses unknown fields, unknown kinds, equal quiet hours and oversized bodies', async () => {
    const t = bob.tokens.accessToken;
    const unknown = await api<{ code: string; errors: { field: string }[] }>(svc.url, 'PUT', prefsPath(bob.id), {
      token: t,
      body: { ...PREFS, isAdmin: true },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.code).toBe('WS_HTTP_VALIDATION');
    expect(unknown.body.errors[0]!.field).toContain('isAdmin');
    const kind = await api<{ code: string }>(svc.url, 'PUT', prefsPath(bob.id), {
      token: t,
      body: { ...PREFS, kinds: { 'made.up': { email: true } } },
    });
    expect(kind.status).toBe(400);
    const quiet = await api<{ code: string }>(svc.url, 'PUT', prefsPath(bob.id), {
      token: t,
      body: { ...PREFS, quietHours: { start: '08:00', end: '08:00' } },
    });
    expect(quiet.status).toBe(400);
    expect(quiet.body.code).toBe('WS_NOTIFICATIONS_QUIET_HOURS_INVALID');
    const big = await api<{ code: string }>(svc.url, 'POST', `/v1/users/${bob.id}/webhooks`, {
      token: t,
      body: { url: 'https://example.com/hook', description: 'x'.repeat(300 * 1024) },
    });
    expect(big.status).toBe(413);
    expect(big.body.code).toBe('WS_HTTP_BODY_TOO_LARGE');
    const long = await api<{ code: string }>(svc.url, 'POST', `/v1/users/${bob.id}/webhooks`, {
      token: t,
      body: { url: 'https://example.com/hook', description: 'x'.repeat(201) },
    });
    expect(long.status).toBe(400);
    expect((await api<Preferences>(svc.url, 'GET', prefsPath(bob.id), { token: t })).body.version).toBe(0);
  });

  it('registers webhook endpoints with a secret shown once, bounded per user, http(s) only', async () => {
    const t = bob.tokens.accessToken;
    const path = `/v1/users/${bob.id}/webhooks`;
    const a = await api<WebhookEndpointCreated>(svc.url, 'POST', path, {
      token: t,
      body: { url: 'https://hooks.example.com/a', kinds: ['workout.assigned'] },
    });
    expect(a.status).toBe(201);
    expect(a.body.secret).toMatch(/^whsec_[A-Za-z0-9_-]{32}$/);
    expect(a.body).toMatchObject({ enabled: true, kinds: ['workout.assigned'], consecutiveFailures: 0 });
    const list = await api<{ items: Record<string, unknown>[] }>(svc.url, 'GET', path, { token: t });
    expect(list.body.items).toHaveLength(1);
    expect(list.body.items[0]).not.toHaveProperty('secret');
    expect((await api(svc.url, 'POST', path, { token: t, body: { url: 'http://hooks.example.com/b' } })).status).toBe(
      201,
    );
    const third = await api<{ code: string }>(svc.url, 'POST', path, {
      token: t,
      body: { url: 'https://hooks.example.com/c' },
    });
    expect(third.status).toBe(409);
    expect(third.body.code).toBe('WS_NOTIFICATIONS_WEBHOOK_LIMIT');
    const ftp = await api<{ code: string }>(svc.url, 'POST', `/v1/users/${alice.id}/webhooks`, {
      token: alice.tokens.accessToken,
      body: { url: 'ftp://hooks.example.com/a' },
    });
    expect(ftp.status).toBe(400);
    const creds = await api<{ code: string }>(svc.url, 'POST', `/v1/users/${alice.id}/webhooks`, {
      token: alice.tokens.accessToken,
      body: { url: 'https://user:pw@hooks.example.com/a' },
    });
    expect(creds.status).toBe(400);
    expect(creds.body.code).toBe('WS_NOTIFICATIONS_WEBHOOK_URL_INVALID');
    // Someone else's endpoint cannot be deleted or even found.
    const del = await api(svc.url, 'DELETE', `/v1/users/${bob.id}/webhooks/${a.body.id}`, {
      token: alice.tokens.accessToken,
    });
    expect(del.status).toBe(404);
    expect((await api(svc.url, 'DELETE', `/v1/users/${bob.id}/webhooks/${a.body.id}`, { token: t })).status).toBe(204);
  });

  it('refuses private, loopback and link-local webhook targets unless allowed (SSRF)', () => {
    for (const u of [
      'http://127.0.0.1:8080/x',
      'http://localhost/x',
      'http://10.1.2.3/x',
      'http://192.168.0.10/x',
      'http://169.254.169.254/latest/meta-data',
      'http://[::1]/x',
      'http://[fd00::1]/x',
    ]) {
      expect(webhookUrlProblem(u, false), u).toMatch(/private/);
      expect(webhookUrlProblem(u, true), u).toBeUndefined();
    }
    expect(webhookUrlProblem('https://hooks.example.com/x', false)).toBeUndefined();
    expect(isPrivateAddress('8.8.8.8')).toBe(false);
    expect(isPrivateAddress('::ffff:127.0.0.1')).toBe(true);
  });
});
