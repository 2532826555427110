import { type Follow, type FollowPage, type FollowUpdated, kafkaTopics, type Privacy } from '@wattstream/contracts';
import { collect, testKafka, waitFor } from '@wattstream/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, type Social, signUp, startSocial, startUsers, type Users } from './support.js';

describe('social: follows and privacy', () => {
  const kafka = testKafka('social-follows');
  let users: Users;
  let social: Social;
  let follows: Awaited<ReturnType<typeof collect>>;
  let privacy: Awaited<ReturnType<typeof collect>>;
  type Rider = Awaited<ReturnType<typeof signUp>>;
  let a: Rider;
  let b: Rider;
  let c: Rider;
  const as = (r: Rider) => ({ token: r.tokens.accessToken });
  const call = <T>(r: Rider, method: string, path: string, body?: unknown) =>
    api<T & { code?: string }>(social.url, method, path, { ...as(r), ...(body === undefined ? {} : { body }) });
  const edgesOf = (followerId: string, followeeId: string) =>
    follows.records
      .map((r) => r.value as FollowUpdated)
      .filter((v) => v.followerId === followerId && v.followeeId === followeeId)
      .map((v) => v.state);

  beforeAll(async () => {
    users = await startUsers();
    social = await startSocial(`${users.url}/.well-known/jwks.json`);
    follows = await collect(kafka, kafkaTopics.followUpdated.name);
    privacy = await collect(kafka, kafkaTopics.privacyUpdated.name);
    [a, b, c] = await Promise.all([
      signUp(users.url, { name: 'fa' }),
      signUp(users.url, { name: 'fb' }),
      signUp(users.url, { name: 'fc' }),
    ]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([follows?.stop(), privacy?.stop()]);
    await social?.destroy();
    await users?.destroy();
  });

  it('request → accept, announced in order on social.follow.updated; asking twice changes nothing', async () => {
    const req = await call<Follow>(a, 'POST', '/v1/follows', { followeeId: b.id });
    expect(req.status).toBe(201);
    expect(req.body).toMatchObject({ followerId: a.id, followeeId: b.id, state: 'requested' });
    expect((await call<Follow>(a, 'POST', '/v1/follows', { followeeId: b.id })).status).toBe(200);

    const pending = await call<FollowPage>(b, 'GET', '/v1/follows?as=followee&state=requested');
    expect(pending.body.items.map((f) => f.followerId)).toEqual([a.id]);
    // only the followee answers: A cannot accept their own request, C cannot either
    expect((await call(a, 'PUT', `/v1/followers/${a.id}`, { state: 'accepted' })).status).toBe(404);
    expect((await call(c, 'PUT', `/v1/followers/${a.id}`, { state: 'accepted' })).status).toBe(404);
    const ok = await call<Follow>(b, 'PUT', `/v1/followers/${a.id}`, { state: 'accepted' });
    expect(ok.status).toBe(200);
    expect(ok.body.state).toBe('accepted');
    expect((await call<FollowPage>(a, 'GET', '/v1/follows')).body.items.map((f) => [f.followeeId, f.state])).toEqual([
      [b.id, 'accepted'],
    ]);
    await waitFor(() => edgesOf(a.id, b.id).length >= 2, { what: 'both follow events' });
    expect(edgesOf(a.id, b.id)).toEqual(['requested', 'accepted']);
    const [r1, r2] = follows.records.filter((r) => (r.value as FollowUpdated).followerId === a.id);
    expect(r1!.key).toBe(b.id);
    expect((r2!.value as FollowUpdated).updatedAt).toBeGreaterThan((r1!.value as FollowUpdated).updatedAt);
    expect(r2!.headers.ce_type).toBe('social.follow.updated');
    expect(r2!.headers.ce_id).toBe(`${b.id}:${a.id}:${(r2!.value as FollowUpdated).updatedAt}`);
  });

  it('refuses a self-follow, unknown fields and a decision without a request', async () => {
    const self = await call(a, 'POST', '/v1/follows', { followeeId: a.id });
    expect(self.status).toBe(400);
    expect(self.body.code).toBe('WS_SOCIAL_SELF_FOLLOW');
    const extra = await call(a, 'POST', '/v1/follows', { followeeId: c.id, state: 'accepted' });
    expect(extra.status).toBe(400);
    expect(extra.body.code).toBe('WS_HTTP_VALIDATION');
    expect((await call(c, 'PUT', `/v1/followers/${b.id}`, { state: 'accepted' })).status).toBe(404);
    expect((await api(social.url, 'GET', '/v1/follows')).status).toBe(401);
  });

  it('a block ends the follow both ways, hides the blocker and refuses new requests with a 404', async () => {
    expect((await call(c, 'POST', '/v1/follows', { followeeId: b.id })).status).toBe(201);
    expect((await call(b, 'POST', '/v1/follows', { followeeId: c.id })).status).toBe(201);
    expect((await call(c, 'PUT', `/v1/followers/${b.id}`, { state: 'accepted' })).status).toBe(200);
    const block = await call<Follow>(b, 'PUT', `/v1/followers/${c.id}`, { state: 'blocked' });
    expect(block.body.state).toBe('blocked');
    const again = await call(c, 'POST', '/v1/follows', { followeeId: b.id });
    expect(again.status).toBe(404);
    await waitFor(() => edgesOf(b.id, c.id).includes('removed'), { what: "B's follow of C ended" });
    expect(edgesOf(c.id, b.id)).toEqual(['requested', 'blocked']);
    expect(edgesOf(b.id, c.id)).toEqual(['requested', 'accepted', 'removed']);
    // lifting the block lets C ask again
    expect((await call(b, 'DELETE', `/v1/followers/${c.id}`)).status).toBe(204);
    expect((await call(c, 'POST', '/v1/follows', { followeeId: b.id })).status).toBe(201);
    expect((await call(c, 'DELETE', `/v1/follows/${b.id}`)).status).toBe(204);
    expect((await call(c, 'DELETE', `/v1/follows/${b.id}`)).status).toBe(404);
  });

  it('privacy: defaults until changed, then the compacted event the live server reads', async () => {
    const before = await call<Privacy>(b, 'GET', '/v1/privacy');
    expect(before.body).toEqual({
      athleteId: b.id,
      live: 'coach',
      sessions: 'coach',
      location: 'coach',
      updatedAt: null,
    });
    const put = await call<Privacy>(b, 'PUT', '/v1/privacy', {
      live: 'friends',
      sessions: 'public',
      location: 'nobody',
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ live: 'friends', sessions: 'public', location: 'nobody' });
    const bad = await call(b, 'PUT', '/v1/privacy', { live: 'everyone', sessions: 'public', location: 'nobody' });
    expect(bad.status).toBe(400);
    const rec = await waitFor(() => privacy.records.find((r) => r.key === b.id), { what: 'the privacy event' });
    expect(rec.value).toMatchObject({ athleteId: b.id, live: 'friends', sessions: 'public', location: 'nobody' });
    expect((await call<Privacy>(b, 'GET', '/v1/privacy')).body.live).toBe('friends');
  });
});
