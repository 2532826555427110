import {
  type Activity,
  type ActivityPage,
  type Comment,
  type CommentPage,
  type FriendActivityUpdated,
  kafkaTopics,
} from '@wattstream/contracts';
import { collect, produceEvent, testKafka, waitFor } from '@wattstream/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  type Social,
  SUMMARIZED,
  signUp,
  startSocial,
  startUsers,
  summarizedEvent,
  type Users,
} from './support.js';

describe('social: the activity feed, kudos and comments', () => {
  const kafka = testKafka('social-feed');
  let users: Users;
  let social: Social;
  let activity: Awaited<ReturnType<typeof collect>>;
  type Rider = Awaited<ReturnType<typeof signUp>>;
  let a: Rider;
  let b: Rider;
  let stranger: Rider;
  const call = <T>(r: Rider, method: string, path: string, body?: unknown) =>
    api<T & { code?: string }>(social.url, method, path, {
      token: r.tokens.accessToken,
      ...(body === undefined ? {} : { body }),
    });
  const T0 = Date.UTC(2026, 10, 1, 7);
  let ride: ReturnType<typeof summarizedEvent>;
  const path = () => `/v1/activities/${encodeURIComponent(ride.sessionId)}`;

  beforeAll(async () => {
    users = await startUsers();
    social = await startSocial(`${users.url}/.well-known/jwks.json`, { SOCIAL_COMMENT_RATE: '3' });
    activity = await collect(kafka, kafkaTopics.friendActivityUpdated.name);
    [a, b, stranger] = await Promise.all([
      signUp(users.url, { name: 'pa' }),
      signUp(users.url, { name: 'pb' }),
      signUp(users.url, { name: 'ps' }),
    ]);
    // A follows B, B accepts and shares sessions with friends
    await call(a, 'POST', '/v1/follows', { followeeId: b.id });
    await call(b, 'PUT', `/v1/followers/${a.id}`, { state: 'accepted' });
    await call(b, 'PUT', '/v1/privacy', { live: 'friends', sessions: 'friends', location: 'nobody' });
    ride = summarizedEvent(b.id, T0);
  }, 120_000);
  afterAll(async () => {
    await activity?.stop();
    await social?.destroy();
    await users?.destroy();
  });

  it('a ride that starts is live in followers’ feeds, its summary completes it, announced as friend.activity.updated', async () => {
    await produceEvent(kafka, kafkaTopics.trainingStarted.name, {
      key: b.id,
      value: { sessionId: ride.sessionId, athleteId: b.id, startedAt: T0, deviceIds: ['trainer'] },
      id: ride.sessionId,
    });
    const live = await waitFor(
      async () =>
        (await call<ActivityPage>(a, 'GET', '/v1/feed')).body.items.find((x) => x.activityId === ride.sessionId),
      { what: 'the live item in A’s feed' },
    );
    expect(live).toMatchObject({ actorId: b.id, state: 'live', summary: null, kudos: 0 });
    for (let i = 0; i < 2; i++)
      await produceEvent(kafka, SUMMARIZED, { key: b.id, value: ride, id: `${ride.sessionId}:1` });
    const done = await waitFor(
      async () => {
        const x = (await call<Activity>(a, 'GET', path())).body;
        return x.state === 'completed' && x;
      },
      { what: 'the completed item' },
    );
    expect(done.summary).toEqual({ durationS: 3600, distanceM: 35_000, kj: 720, avgPower: 200 });
    // the outbox is at-least-once: Kafka may hold an event twice, under one ce_id
    const mine = () => [
      ...new Map(
        activity.records
          .filter((r) => (r.value as FriendActivityUpdated).activityId === ride.sessionId)
          .map((r) => [r.headers.ce_id, r.value as FriendActivityUpdated]),
      ).values(),
    ];
    await waitFor(() => mine().length >= 2, { what: 'two activity events' });
    expect(mine().map((v) => [v.verb, v.visibility])).toEqual([
      ['started', 'followers'],
      ['completed', 'followers'],
    ]);
    expect(activity.records.find((r) => (r.value as FriendActivityUpdated).verb === 'completed')?.key).toBeDefined();
    // a later revision updates it; a repeated older one changes nothing
    await produceEvent(kafka, SUMMARIZED, {
      key: b.id,
      value: summarizedEvent(b.id, T0, { revision: 2, distanceM: 35_500 }),
      id: `${ride.sessionId}:2`,
    });
    await produceEvent(kafka, SUMMARIZED, { key: b.id, value: ride, id: `${ride.sessionId}:1-again` });
    await waitFor(() => mine().length >= 3, { what: 'the update' });
    expect(mine().map((v) => v.verb)).toEqual(['started', 'completed', 'updated']);
    expect((await call<Activity>(a, 'GET', path())).body.summary?.distanceM).toBe(35_500);
  });

  it('strangers see nothing of it: not in their feed, 404 on the item, its kudos and comments', async () => {
    expect((await call<ActivityPage>(stranger, 'GET', '/v1/feed')).body.items).toEqual([]);
    expect((await call(stranger, 'GET', path())).status).toBe(404);
    expect((await call(stranger, 'PUT', `${path()}/kudos`)).status).toBe(404);
    expect((await call(stranger, 'POST', `${path()}/comments`, { body: 'nice' })).status).toBe(404);
    // public sessions: anyone signed in may see the item, though it is not in their (follow) feed
    await call(b, 'PUT', '/v1/privacy', { live: 'friends', sessions: 'public', location: 'nobody' });
    expect((await call(stranger, 'GET', path())).status).toBe(200);
    expect((await call<ActivityPage>(stranger, 'GET', '/v1/feed')).body.items).toEqual([]);
    await call(b, 'PUT', '/v1/privacy', { live: 'friends', sessions: 'nobody', location: 'nobody' });
    expect((await call(a, 'GET', path())).status).toBe(404);
    expect((await call<ActivityPage>(a, 'GET', '/v1/feed')).body.items).toEqual([]);
    await call(b, 'PUT', '/v1/privacy', { live: 'friends', sessions: 'friends', location: 'nobody' });
  });

  it('kudos are idempotent; comments are bounded, rate-limited, and deletable by their author or the athlete', async () => {
    expect((await call(a, 'PUT', `${path()}/kudos`)).status).toBe(204);
    expect((await call(a, 'PUT', `${path()}/kudos`)).status).toBe(204);
    expect((await call<Activity>(a, 'GET', path())).body).toMatchObject({ kudos: 1, kudoed: true });
    expect((await call<Activity>(b, 'GET', path())).body).toMatchObject({ kudos: 1, kudoed: false });

    const long = await call(a, 'POST', `${path()}/comments`, { body: 'x'.repeat(2001) });
    expect(long.status).toBe(400);
    const huge = await fetch(`${social.url}${path()}/comments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${a.tokens.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ body: 'x'.repeat(1024 * 1024) }),
    });
    expect(huge.status).toBe(413);
    expect((await call(a, 'POST', `${path()}/comments`, { body: '' })).status).toBe(400);

    const posted: Comment[] = [];
    for (const text of ['great ride', 'what a climb', 'see you tuesday']) {
      const r = await call<Comment>(a, 'POST', `${path()}/comments`, { body: text });
      expect(r.status).toBe(201);
      posted.push(r.body);
    }
    const limited = await call(a, 'POST', `${path()}/comments`, { body: 'one too many' });
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('WS_SOCIAL_RATE_LIMITED');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // B (not rate-limited) may comment on their own ride
    expect((await call(b, 'POST', `${path()}/comments`, { body: 'thanks!' })).status).toBe(201);

    const page1 = await call<CommentPage>(a, 'GET', `${path()}/comments?limit=2`);
    expect(page1.body.items.map((x) => x.body)).toEqual(['thanks!', 'see you tuesday']);
    const page2 = await call<CommentPage>(a, 'GET', `${path()}/comments?limit=2&cursor=${page1.body.nextCursor}`);
    expect(page2.body.items.map((x) => x.body)).toEqual(['what a climb', 'great ride']);
    expect((await call(a, 'GET', `${path()}/comments?cursor=bm9wZQ`)).status).toBe(400);

    const [first, second] = posted;
    // a stranger cannot see the ride (404); B moderates A's comment on B's ride; A deletes their own
    expect((await call(stranger, 'DELETE', `/v1/comments/${first!.id}`)).status).toBe(404);
    expect((await call(b, 'DELETE', `/v1/comments/${first!.id}`)).status).toBe(204);
    expect((await call(a, 'DELETE', `/v1/comments/${second!.id}`)).status).toBe(204);
    const thanks = page1.body.items[0]!;
    expect((await call(a, 'DELETE', `/v1/comments/${thanks.id}`)).status).toBe(403);
    expect((await call<Activity>(a, 'GET', path())).body.comments).toBe(2);
  });

  it('account deletion removes the athlete’s feed items, follows and privacy', async () => {
    const gone = await signUp(users.url, { name: 'gone' });
    await call(a, 'POST', '/v1/follows', { followeeId: gone.id });
    await call(gone, 'PUT', `/v1/followers/${a.id}`, { state: 'accepted' });
    await call(gone, 'PUT', '/v1/privacy', { live: 'public', sessions: 'public', location: 'public' });
    const r = summarizedEvent(gone.id, T0 + 86_400_000);
    await produceEvent(kafka, SUMMARIZED, { key: gone.id, value: r, id: `${r.sessionId}:1` });
    await waitFor(
      async () => (await call(a, 'GET', `/v1/activities/${encodeURIComponent(r.sessionId)}`)).status === 200,
      {
        what: 'the deleted user’s ride in the feed',
      },
    );
    const follows = await collect(kafka, kafkaTopics.followUpdated.name);
    const privacy = await collect(kafka, kafkaTopics.privacyUpdated.name);
    try {
      await produceEvent(kafka, kafkaTopics.accountDeleted.name, {
        key: gone.id,
        value: { userId: gone.id, deletedAt: Date.now() },
        id: `deleted-${gone.id}`,
      });
      await waitFor(
        () => follows.records.some((x) => x.key === gone.id && (x.value as { state: string }).state === 'removed'),
        { what: 'the follow removed' },
      );
      await waitFor(() => privacy.records.some((x) => x.key === gone.id && x.value === null), {
        what: 'the privacy tombstone',
      });
      expect((await call(a, 'GET', `/v1/activities/${encodeURIComponent(r.sessionId)}`)).status).toBe(404);
      const rows = await social.ctx.db.query(
        `SELECT (SELECT count(*) FROM follows WHERE follower_id = $1 OR followee_id = $1)
              + (SELECT count(*) FROM privacy WHERE athlete_id = $1)
              + (SELECT count(*) FROM activities WHERE actor_id = $1) AS n`,
        [gone.id],
      );
      expect(Number(rows.rows[0].n)).toBe(0);
    } finally {
      await Promise.all([follows.stop(), privacy.stop()]);
    }
  });
});
