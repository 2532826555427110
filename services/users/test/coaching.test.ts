import { kafkaTopics } from '@wattstream/contracts';
import { collect, testKafka, unique, waitFor } from '@wattstream/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLEET_COACH, fleetAthletes, seedAthletes, seedCoach } from '../src/seed.js';
import { api, signUp, startUsers, type Users } from './support.js';

let users: Users;
let links: Awaited<ReturnType<typeof collect>>;
beforeAll(async () => {
  users = await startUsers();
  links = await collect(testKafka('users-coaching-test'), kafkaTopics.coachLinkUpdated.name);
}, 120_000);
afterAll(async () => {
  await links?.stop();
  await users?.destroy();
});

describe('coach ↔ athlete links', () => {
  it('invite → accept → both sides see the link → either side ends it, each change an event', async () => {
    const athlete = await signUp(users.url, { name: 'athlete' });
    const coach = await signUp(users.url, { name: 'coach', accountType: 'coach' });
    const a = athlete.tokens.accessToken;
    const c = coach.tokens.accessToken;
    await api(users.url, 'POST', '/v1/me/coach-invitations', { token: a, body: { coachEmail: coach.email } });
    const dup = await api(users.url, 'POST', '/v1/me/coach-invitations', {
      token: a,
      body: { coachEmail: coach.email },
    });
    expect(dup.status).toBe(409);
    const pending = await api<{ items: { id: string; athleteId: string }[] }>(
      users.url,
      'GET',
      '/v1/me/coach-invitations',
      { token: c },
    );
    expect(pending.body.items).toHaveLength(1);
    expect(pending.body.items[0]?.athleteId).toBe(athlete.id);
    // Only coaches list and answer invitations.
    expect((await api(users.url, 'GET', '/v1/me/coach-invitations', { token: a })).status).toBe(403);
    await api(users.url, 'POST', `/v1/coach-invitations/${pending.body.items[0]!.id}/accept`, { token: c });

    const coaches = await api<{ items: { id: string }[] }>(users.url, 'GET', '/v1/me/coaches', { token: a });
    expect(coaches.body.items.map((x) => x.id)).toEqual([coach.id]);
    const athletes = await api<{ items: { id: string }[] }>(users.url, 'GET', '/v1/me/athletes', { token: c });
    expect(athletes.body.items.map((x) => x.id)).toEqual([athlete.id]);
    await waitFor(() => links.records.find((r) => r.key === athlete.id && (r.value as { active: boolean }).active), {
      what: 'the link event',
    });

    expect((await api(users.url, 'DELETE', `/v1/me/athletes/${athlete.id}`, { token: c })).status).toBe(204);
    expect((await api(users.url, 'DELETE', `/v1/me/athletes/${athlete.id}`, { token: c })).status).toBe(404);
    const ended = await waitFor(() =>
      links.records.find((r) => r.key === athlete.id && (r.value as { active: boolean }).active === false),
    );
    expect(ended.value).toMatchObject({ athleteId: athlete.id, coachId: coach.id, active: false });
    expect((await api<{ items: unknown[] }>(users.url, 'GET', '/v1/me/coaches', { token: a })).body.items).toEqual([]);
  });

  it('a declined invitation links nobody, and a decided one cannot be answered again', async () => {
    const athlete = await signUp(users.url, { name: 'athlete' });
    const coach = await signUp(users.url, { name: 'coach', accountType: 'coach' });
    const inv = await api<{ id: string }>(users.url, 'POST', '/v1/me/coach-invitations', {
      token: athlete.tokens.accessToken,
      body: { coachEmail: coach.email },
    });
    const c = coach.tokens.accessToken;
    expect((await api(users.url, 'POST', `/v1/coach-invitations/${inv.body.id}/decline`, { token: c })).status).toBe(
      204,
    );
    expect((await api(users.url, 'POST', `/v1/coach-invitations/${inv.body.id}/accept`, { token: c })).status).toBe(
      404,
    );
    expect((await api<{ items: unknown[] }>(users.url, 'GET', '/v1/me/athletes', { token: c })).body.items).toEqual([]);
  });
  it('seeding the fleet makes its coach, who signs in and coaches every athlete; seeding again changes nothing', async () => {
    const ids = [unique('rider'), unique('rider')];
    await seedAthletes(users.ctx, fleetAthletes(ids), 'fleet password 1');
    expect(await seedCoach(users.ctx, ids, 'fleet password 1')).toBe(2);
    expect(await seedCoach(users.ctx, ids, 'fleet password 1')).toBe(0);
    const login = await api<{ accessToken: string }>(users.url, 'POST', '/v1/auth/login', {
      body: { email: FLEET_COACH.email, password: 'fleet password 1' },
    });
    expect(login.status).toBe(200);
    const athletes = await api<{ items: { id: string }[] }>(users.url, 'GET', '/v1/me/athletes', {
      token: login.body.accessToken,
    });
    expect(athletes.body.items.map((x) => x.id).sort()).toEqual([...ids].sort());
    const events = await waitFor(
      () => {
        const mine = links.records.filter((r) => ids.includes(r.key));
        return mine.length === 2 ? mine : undefined;
      },
      { what: "the fleet coach's link events" },
    );
    for (const e of events) expect(e.value).toMatchObject({ coachId: FLEET_COACH.id, active: true });
  });
});
