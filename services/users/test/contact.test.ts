import { kafkaTopics, type Me } from '@wattstream/contracts';
import { collect, testKafka, waitFor } from '@wattstream/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, PASSWORD, signUp, startUsers, type Users } from './support.js';

let users: Users;
const kafka = testKafka('users-contact-test');
let contacts: Awaited<ReturnType<typeof collect>>;
beforeAll(async () => {
  users = await startUsers();
  contacts = await collect(kafka, kafkaTopics.contactUpdated.name);
}, 120_000);
afterAll(async () => {
  await contacts?.stop();
  await users?.destroy();
});

const mine = (id: string) => contacts.records.filter((r) => r.key === id);

describe('account settings and user.contact.updated', () => {
  it('registers with locale en and time zone UTC, and says so in user.contact.updated', async () => {
    const { id, email, tokens } = await signUp(users.url, { name: 'Olga' });
    const me = await api<Me>(users.url, 'GET', '/v1/me', { token: tokens.accessToken });
    expect(me.body).toMatchObject({ id, email, locale: 'en', timeZone: 'UTC' });
    const ev = await waitFor(() => mine(id)[0], { what: 'the contact event of the registration' });
    expect(ev.value).toEqual({
      userId: id,
      email,
      displayName: 'Olga',
      locale: 'en',
      timeZone: 'UTC',
      updatedAt: expect.any(Number),
    });
    expect(ev.headers.ce_id).toBe(`${id}:${(ev.value as { updatedAt: number }).updatedAt}`);
  });

  it('changes name, locale and time zone with PATCH /v1/me, one event per change', async () => {
    const { id, tokens } = await signUp(users.url, { name: 'Ivan' });
    const t = tokens.accessToken;
    const r = await api<Me>(users.url, 'PATCH', '/v1/me', {
      token: t,
      body: { locale: 'ru', timeZone: 'Europe/Moscow', displayName: 'Иван' },
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ locale: 'ru', timeZone: 'Europe/Moscow', displayName: 'Иван' });
    const again = await api<Me>(users.url, 'PATCH', '/v1/me', { token: t, body: { timeZone: 'Etc/UTC' } });
    expect(again.body.timeZone).toBe('UTC'); // the canonical name
    await waitFor(() => mine(id).length >= 3, { what: 'three contact events' });
    const values = mine(id).map((e) => e.value as { locale: string; timeZone: string; updatedAt: number });
    expect(values.map((v) => [v.locale, v.timeZone])).toEqual([
      ['en', 'UTC'],
      ['ru', 'Europe/Moscow'],
      ['ru', 'UTC'],
    ]);
    // Strictly increasing: each change has its own ce_id and the latest wins downstream.
    expect(values[1]!.updatedAt).toBeGreaterThan(values[0]!.updatedAt);
    expect(values[2]!.updatedAt).toBeGreaterThan(values[1]!.updatedAt);
    expect(new Set(mine(id).map((e) => e.headers.ce_id)).size).toBe(3);
  });

  it('refuses unknown time zones, bad locales, unknown fields and empty changes', async () => {
    const { tokens } = await signUp(users.url);
    const t = tokens.accessToken;
    const tz = await api<{ code: string; errors: { field: string }[] }>(users.url, 'PATCH', '/v1/me', {
      token: t,
      body: { timeZone: 'Mars/Olympus_Mons' },
    });
    expect(tz.status).toBe(400);
    expect(tz.body.code).toBe('WS_USERS_TIME_ZONE_INVALID');
    expect(tz.body.errors[0]!.field).toBe('body.timeZone');
    const offset = await api<{ code: string }>(users.url, 'PATCH', '/v1/me', {
      token: t,
      body: { timeZone: '+03:00' },
    });
    expect(offset.status).toBe(400);
    const locale = await api<{ code: string }>(users.url, 'PATCH', '/v1/me', { token: t, body: { locale: 'russian' } });
    expect(locale.status).toBe(400);
    expect(locale.body.code).toBe('WS_HTTP_VALIDATION');
    const extra = await api<{ code: string }>(users.url, 'PATCH', '/v1/me', {
      token: t,
      body: { locale: 'ru', roles: ['admin'] },
    });
    expect(extra.status).toBe(400);
    expect(extra.body.code).toBe('WS_HTTP_VALIDATION');
    expect((await api(users.url, 'PATCH', '/v1/me', { token: t, body: {} })).status).toBe(400);
    expect((await api<Me>(users.url, 'GET', '/v1/me', { token: t })).body).toMatchObject({
      locale: 'en',
      timeZone: 'UTC',
    });
  });

  it('erasure tombstones the contact details on the compacted topic', async () => {
    const { id, tokens } = await signUp(users.url);
    await waitFor(() => mine(id).length === 1, { what: 'the registration event' });
    const del = await api(users.url, 'DELETE', '/v1/me', { token: tokens.accessToken, body: { password: PASSWORD } });
    expect(del.status).toBe(204);
    const tomb = await waitFor(() => mine(id).find((r) => r.value === null), { what: 'the tombstone' });
    expect(tomb.headers.ce_id).toBe(`${id}:deleted`);
  });
});
