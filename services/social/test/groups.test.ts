import { type Group, type GroupUpdated, kafkaTopics } from '@wattstream/contracts';
import { collect, testKafka, waitFor } from '@wattstream/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type Social, signUp, startSocial, startUsers, type Users } from './support.js';

describe('social: group rides', () => {
  const kafka = testKafka('social-groups');
  let users: Users;
  let social: Social;
  let updates: Awaited<ReturnType<typeof collect>>;
  type Rider = Awaited<ReturnType<typeof signUp>>;
  let owner: Rider;
  let guest: Rider;
  let other: Rider;
  const call = <T>(r: Rider, method: string, path: string, body?: unknown) =>
    api<T & { code?: string }>(social.url, method, path, {
      token: r.tokens.accessToken,
      ...(body === undefined ? {} : { body }),
    });

  beforeAll(async () => {
    users = await startUsers();
    social = await startSocial(`${users.url}/.well-known/jwks.json`);
    updates = await collect(kafka, kafkaTopics.groupUpdated.name);
    [owner, guest, other] = await Promise.all([
      signUp(users.url, { name: 'go' }),
      signUp(users.url, { name: 'gg' }),
      signUp(users.url, { name: 'gx' }),
    ]);
  }, 120_000);
  afterAll(async () => {
    await updates?.stop();
    await social?.destroy();
    await users?.destroy();
  });

  it('create → invite → join → leave → delete; the leaderboard (live.group.updated) lists joined members only', async () => {
    const created = await call<Group>(owner, 'POST', '/v1/groups', {
      name: 'Tuesday hammer',
      rankBy: 'wkg',
      startsAt: '2026-12-08T18:00:00.000Z',
    });
    expect(created.status).toBe(201);
    const g = created.body;
    expect(g).toMatchObject({
      ownerId: owner.id,
      startsAt: '2026-12-08T18:00:00.000Z',
      members: [{ athleteId: owner.id, state: 'joined' }],
      liveChannel: `group:${g.groupId}`,
    });
    const path = `/v1/groups/${g.groupId}`;
    const events = () =>
      updates.records.filter((r) => r.key === g.groupId).map((r) => (r.value as GroupUpdated | null)?.members ?? null);

    // not visible to someone uninvited; only the owner invites
    expect((await call(other, 'GET', path)).status).toBe(404);
    expect((await call(other, 'POST', `${path}/join`)).status).toBe(404);
    const invited = await call<Group>(owner, 'POST', `${path}/invites`, { athleteId: guest.id });
    expect(invited.body.members).toContainEqual({ athleteId: guest.id, state: 'invited' });
    expect((await call(guest, 'POST', `${path}/invites`, { athleteId: other.id })).status).toBe(403);
    expect((await call<Group>(guest, 'GET', path)).status).toBe(200);

    const joined = await call<Group>(guest, 'POST', `${path}/join`);
    expect(joined.body.members).toContainEqual({ athleteId: guest.id, state: 'joined' });
    expect((await call<{ items: Group[] }>(guest, 'GET', '/v1/groups')).body.items.map((x) => x.groupId)).toEqual([
      g.groupId,
    ]);
    await waitFor(() => events().length >= 2, { what: 'the join on the leaderboard topic' });
    expect(events()).toEqual([[owner.id], [owner.id, guest.id].sort()]);
    const last = updates.records.filter((r) => r.key === g.groupId).at(-1)!;
    expect(last.value).toMatchObject({ name: 'Tuesday hammer', rankBy: 'wkg', updatedBy: guest.id });

    expect((await call(owner, 'DELETE', `${path}/members/${owner.id}`)).status).toBe(409);
    expect((await call(guest, 'DELETE', `${path}/members/${guest.id}`)).status).toBe(204);
    await waitFor(() => events().length >= 3, { what: 'the leave' });
    expect((await call(guest, 'GET', path)).status).toBe(404);

    expect((await call(other, 'DELETE', path)).status).toBe(404);
    expect((await call(owner, 'DELETE', path)).status).toBe(204);
    await waitFor(() => events().at(-1) === null && events().length >= 4, { what: 'the tombstone' });
    expect((await call(owner, 'GET', path)).status).toBe(404);
  });

  it('refuses a bad rank, unknown fields and a malformed id', async () => {
    expect((await call(owner, 'POST', '/v1/groups', { name: 'x', rankBy: 'speed' })).status).toBe(400);
    expect((await call(owner, 'POST', '/v1/groups', { name: 'x', rankBy: 'power', members: [other.id] })).status).toBe(
      400,
    );
    expect((await call(owner, 'GET', '/v1/groups/not-a-uuid')).status).toBe(400);
  });
});
