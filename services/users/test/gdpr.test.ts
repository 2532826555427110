import { kafkaTopics } from '@wattstream/contracts';
import { collect, testKafka, waitFor } from '@wattstream/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, PASSWORD, signUp, startUsers, type Users } from './support.js';

let users: Users;
const kafka = testKafka('users-gdpr-test');
let deleted: Awaited<ReturnType<typeof collect>>;
let profiles: Awaited<ReturnType<typeof collect>>;
beforeAll(async () => {
  users = await startUsers();
  deleted = await collect(kafka, kafkaTopics.accountDeleted.name);
  profiles = await collect(kafka, kafkaTopics.profileUpdated.name);
}, 120_000);
afterAll(async () => {
  await deleted?.stop();
  await profiles?.stop();
  await users?.destroy();
});

describe('GDPR', () => {
  it('exports everything the service holds about the caller', async () => {
    const { id, email, tokens } = await signUp(users.url);
    await api(users.url, 'POST', '/v1/me/edges', { token: tokens.accessToken, body: { name: 'bike computer' } });
    const r = await api<Record<string, unknown>>(users.url, 'GET', '/v1/me/export', { token: tokens.accessToken });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-disposition')).toContain(id);
    expect(r.body).toMatchObject({
      account: { id, email },
      profile: { athleteId: id, ftp: 200 },
      edges: [{ name: 'bike computer' }],
      coaches: [],
    });
    expect(JSON.stringify(r.body)).not.toMatch(/argon2|password_hash/);
  });

  it('deletes the account after the password is confirmed, and tells the other services', async () => {
    const { id, email, tokens } = await signUp(users.url);
    const t = tokens.accessToken;
    const wrong = await api(users.url, 'DELETE', '/v1/me', { token: t, body: { password: 'not it at all' } });
    expect(wrong.status).toBe(401);
    expect((await api(users.url, 'DELETE', '/v1/me', { token: t, body: { password: PASSWORD } })).status).toBe(204);

    const ev = await waitFor(() => deleted.records.find((r) => r.key === id), { what: 'user.account.deleted' });
    expect(ev.value).toMatchObject({ userId: id });
    await waitFor(() => profiles.records.find((r) => r.key === id && r.value === null), {
      what: 'the profile tombstone',
    });
    expect((await api(users.url, 'GET', '/v1/me', { token: t })).status).toBe(401);
    expect((await api(users.url, 'POST', '/v1/auth/login', { body: { email, password: PASSWORD } })).status).toBe(401);
    expect(
      (await api(users.url, 'POST', '/v1/auth/refresh', { body: { refreshToken: tokens.refreshToken } })).status,
    ).toBe(401);
    // The address is free again.
    const again = await api(users.url, 'POST', '/v1/auth/register', {
      body: { email, password: PASSWORD, displayName: 'New' },
    });
    expect(again.status).toBe(201);
  });
});
