import { kafkaTopics, type NotificationPage } from '@wattstream/contracts';
import type { MailNode } from '@wattstream/infra';
import { type CollectedRecord, collect, never, summarizedEvent, waitFor } from '@wattstream/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localSecondOfDay } from '../src/time.js';
import {
  api,
  emit,
  kafka,
  mailTo,
  type Notifications,
  PASSWORD,
  signUp,
  startMail,
  startNotifications,
  startUsers,
  syncFailed,
  type Users,
  uid,
} from './support.js';

type Live = { userId: string; kind: string; title: string; body: string; locale: string; notificationId: string };

describe('notifications: events → live, e-mail, digests, quiet hours, erasure', () => {
  let users: Users;
  let mail: MailNode;
  let svc: Notifications;
  let live: Awaited<ReturnType<typeof collect>>;
  let alice: Awaited<ReturnType<typeof signUp>>;
  let bob: Awaited<ReturnType<typeof signUp>>;
  let carol: Awaited<ReturnType<typeof signUp>>;
  let dave: Awaited<ReturnType<typeof signUp>>;
  const T = Date.now() - 60_000;

  // De-duplicated by notificationId, as clients do: every notifications instance of the test run
  // consumes the shared topics, and the same event makes the same notification id in each.
  const liveFor = (userId: string, kind?: string) => [
    ...new Map(
      live.records
        .map((r: CollectedRecord) => r.value as Live)
        .filter((v) => v.userId === userId && (kind === undefined || v.kind === kind))
        .map((v) => [v.notificationId, v]),
    ).values(),
  ];
  const rows = async (text: string, params: unknown[]) => (await svc.ctx.db.query(text, params)).rows;
  const count = async (text: string, params: unknown[]) => Number((await rows(text, params))[0]?.n ?? 0);
  const follow = (followeeId: string, followerId: string, state: string, updatedAt: number) =>
    emit(kafkaTopics.followUpdated.name, followeeId, { followeeId, followerId, state, updatedAt });
  const ride = (verb: 'started' | 'completed', extra: Record<string, unknown> = {}) =>
    emit(kafkaTopics.friendActivityUpdated.name, alice.id, {
      activityId: uid('ride'),
      actorId: alice.id,
      verb,
      sport: 'ride',
      title: 'Sweet spot',
      visibility: 'followers',
      occurredAt: Date.now(),
      ...(verb === 'completed' ? { summary: { durationS: 3900, distanceM: 35_000, kj: 720, avgPower: 200 } } : {}),
      ...extra,
    });

  beforeAll(async () => {
    users = await startUsers();
    mail = await startMail();
    svc = await startNotifications(`${users.url}/.well-known/jwks.json`, { NOTIFICATIONS_SMTP_URL: mail.url });
    live = await collect(kafka, kafkaTopics.notificationLive.name);
    const [a, b, c, d] = await Promise.all(
      ['alice', 'bob', 'carol', 'dave'].map((name) => signUp(users.url, { name })),
    );
    [alice, bob, carol, dave] = [a!, b!, c!, d!];
    // Bob reads Russian: the users service emits user.contact.updated, notifications projects it.
    const patched = await api(users.url, 'PATCH', '/v1/me', { token: bob.tokens.accessToken, body: { locale: 'ru' } });
    expect(patched.status).toBe(200);
    await waitFor(
      async () =>
        (await count(`SELECT count(*) AS n FROM contacts WHERE user_id = $1 AND locale = 'ru'`, [bob.id])) === 1,
      { what: "bob's contact details in Russian", timeoutMs: 60_000 },
    );
    await waitFor(
      async () =>
        (await count('SELECT count(*) AS n FROM contacts WHERE user_id = ANY($1)', [[alice.id, carol.id, dave.id]])) ===
        3,
      {
        what: 'the other contacts',
      },
    );
    // Bob follows Alice; Carol only asked; Dave's follow was removed — the removal (newer) arrives first.
    await follow(alice.id, bob.id, 'accepted', T);
    await follow(alice.id, carol.id, 'requested', T);
    await follow(alice.id, dave.id, 'removed', T + 10);
    await follow(alice.id, dave.id, 'accepted', T + 5);
    await waitFor(
      async () => (await count('SELECT count(*) AS n FROM follows WHERE followee_id = $1', [alice.id])) === 3,
      {
        what: 'the follow projection',
      },
    );
  }, 180_000);
  afterAll(async () => {
    await live?.stop();
    await svc?.destroy();
    await mail?.stop();
    await users?.destroy();
  });

  it("tells a friend's ride start live to accepted followers only, in their language, and its end by e-mail too", async () => {
    expect(
      (await rows('SELECT state FROM follows WHERE followee_id = $1 AND follower_id = $2', [alice.id, dave.id]))[0],
    ).toEqual({
      state: 'removed',
    });
    await ride('started');
    const started = await waitFor(() => liveFor(bob.id, 'friend.ride.started')[0], { what: 'the live notification' });
    expect(started).toMatchObject({ locale: 'ru', title: 'alice начал(а) заезд' });
    expect(started.body).toContain('Sweet spot');

    await ride('completed');
    const done = await waitFor(async () => (await mailTo(mail, bob.email))[0], { what: "bob's e-mail" });
    expect(done.subject).toBe('alice завершил(а) заезд');
    expect(done.language).toBe('ru');
    expect(done.text).toContain('35 км');
    expect(done.text).toContain('1 ч 05 мин');
    expect(done.html).toContain('Sweet spot');
    expect(liveFor(bob.id, 'friend.ride.completed')).toHaveLength(1);

    // A private ride tells nobody; the next one shows the consumer went past it.
    await ride('completed', { visibility: 'private', title: 'secret' });
    await ride('started', { title: 'marker' });
    await waitFor(() => liveFor(bob.id, 'friend.ride.started').length === 2, {
      what: 'the ride after the private one',
    });
    expect(liveFor(bob.id, 'friend.ride.completed')).toHaveLength(1);
    expect(await mailTo(mail, bob.email)).toHaveLength(1);
    for (const id of [carol.id, dave.id]) {
      expect(liveFor(id).filter((n) => n.kind.startsWith('friend.'))).toEqual([]);
      expect(await mailTo(mail, id === carol.id ? carol.email : dave.email)).toEqual([]);
    }
  });

  it('tells the followee of a follow request, live and by e-mail, and lists it with its delivery', async () => {
    const mailed = await waitFor(
      async () => (await mailTo(mail, alice.email)).find((m) => m.subject === 'carol wants to follow you'),
      { what: 'the follow request e-mail' },
    );
    expect(mailed.language).toBe('en');
    expect(liveFor(alice.id, 'follow.requested')).toHaveLength(1);
    const page = await api<NotificationPage>(svc.url, 'GET', `/v1/users/${alice.id}/notifications`, {
      token: alice.tokens.accessToken,
    });
    expect(page.status).toBe(200);
    const n = page.body.items.find((i) => i.kind === 'follow.requested')!;
    expect(n).toMatchObject({ title: 'carol wants to follow you', locale: 'en' });
    await waitFor(
      async () =>
        (
          await api<NotificationPage>(svc.url, 'GET', `/v1/users/${alice.id}/notifications`, {
            token: alice.tokens.accessToken,
          })
        ).body.items.find((i) => i.id === n.id)?.deliveries[0]?.state === 'sent',
      { what: 'the delivery marked sent' },
    );
  });

  it("tells the athlete of a workout their coach planned, and nothing of the athlete's own plans", async () => {
    const assigned = (assignedBy: string, workoutName: string) =>
      emit(kafkaTopics.workoutAssigned.name, bob.id, {
        assignmentId: crypto.randomUUID(),
        athleteId: bob.id,
        assignedBy,
        workoutId: crypto.randomUUID(),
        workoutName,
        date: '2026-12-24',
        plannedDurationS: 3600,
        action: 'assigned',
        updatedAt: Date.now(),
      });
    await assigned(bob.id, 'my own');
    await assigned(carol.id, 'Over-unders');
    const m = await waitFor(
      async () => (await mailTo(mail, bob.email)).find((x) => x.subject === 'Тренер назначил вам тренировку'),
      { what: 'the workout e-mail' },
    );
    expect(m.text).toContain('«Over-unders» на 2026-12-24');
    expect(liveFor(bob.id, 'workout.assigned').map((n) => n.body)).toEqual(['«Over-unders» на 2026-12-24.']);
  });

  it('collects low-priority e-mails into one digest per period', async () => {
    const summary = (i: number, revision = 1) =>
      emit(
        kafkaTopics.sessionSummarized.name,
        alice.id,
        summarizedEvent(alice.id, T + i, { revision, distanceM: 30_000 + i * 1000 }),
      );
    await summary(1);
    await summary(2);
    await summary(2, 2); // a revised summary says nothing more
    await waitFor(() => liveFor(alice.id, 'session.summary.ready').length === 2, { what: 'two live notifications' });
    const queued = await waitFor(async () => {
      const r = await rows(
        `SELECT d.state, d.digest, d.next_attempt_at FROM deliveries d JOIN notifications n ON n.id = d.notification_id
         WHERE n.user_id = $1 AND n.kind = 'session.summary.ready'`,
        [alice.id],
      );
      return r.length === 2 ? r : undefined;
    });
    for (const q of queued) {
      expect(q).toMatchObject({ state: 'pending', digest: true });
      // the daily digest: the next 18:00 in Alice's time zone (UTC)
      expect((q.next_attempt_at as Date).getUTCHours()).toBe(18);
    }
    await never(
      async () => (await mailTo(mail, alice.email)).some((m) => m.kind === 'digest'),
      1000,
      'an early digest',
    );
    // The period ends.
    await svc.ctx.db.query(`UPDATE deliveries SET next_attempt_at = now() WHERE user_id = $1 AND digest`, [alice.id]);
    const digest = await waitFor(async () => (await mailTo(mail, alice.email)).find((m) => m.kind === 'digest'), {
      what: 'the digest',
    });
    expect(digest.subject).toBe('Your Wattstream digest: 2 updates');
    expect(digest.text.match(/Your session summary is ready/g)).toHaveLength(2);
    expect(digest.text).toContain('31 km');
    expect(digest.text).toContain('32 km');
    expect(digest.notifications).toHaveLength(2);
    await never(
      async () => (await mailTo(mail, alice.email)).filter((m) => m.kind === 'digest').length > 1,
      1000,
      'a second digest',
    );
  });

  it("holds e-mails until the end of quiet hours in the user's time zone; live notifications go at once", async () => {
    const tz = 'Asia/Tokyo';
    expect(
      (await api(users.url, 'PATCH', '/v1/me', { token: carol.tokens.accessToken, body: { timeZone: tz } })).status,
    ).toBe(200);
    await waitFor(
      async () =>
        (await count('SELECT count(*) AS n FROM contacts WHERE user_id = $1 AND time_zone = $2', [carol.id, tz])) === 1,
      { what: "carol's time zone" },
    );
    const nowMin = Math.floor(localSecondOfDay(Date.now(), tz) / 60);
    const hhmm = (m: number) => {
      const x = (m + 1440) % 1440;
      return `${String(Math.floor(x / 60)).padStart(2, '0')}:${String(x % 60).padStart(2, '0')}`;
    };
    const put = await api(svc.url, 'PUT', `/v1/users/${carol.id}/preferences`, {
      token: carol.tokens.accessToken,
      body: {
        channels: { live: true, email: true, webhook: true },
        kinds: {},
        quietHours: { start: hhmm(nowMin - 60), end: hhmm(nowMin + 60) },
        digest: 'off',
      },
    });
    expect(put.status).toBe(200);
    const at = Date.now();
    await emit(kafkaTopics.integrationSyncFailed.name, carol.id, syncFailed(carol.id, { retryable: false }));
    const n = await waitFor(() => liveFor(carol.id, 'integration.sync.failed')[0], { what: 'the live notification' });
    expect(n.body).toContain('Reconnect strava');
    const [held] = await rows(
      `SELECT d.state, d.next_attempt_at FROM deliveries d WHERE d.notification_id = $1 AND d.channel = 'email'`,
      [n.notificationId],
    );
    expect(held?.state).toBe('pending');
    const wait = (held!.next_attempt_at as Date).getTime() - at;
    expect(wait).toBeGreaterThan(58 * 60_000);
    expect(wait).toBeLessThan(61 * 60_000);
    await never(
      async () => (await mailTo(mail, carol.email)).some((m) => m.subject.startsWith('Sync')),
      1000,
      'a mail in quiet hours',
    );
  });

  it('erases everything about a user when their account is deleted', async () => {
    const del = await api(users.url, 'DELETE', '/v1/me', {
      token: bob.tokens.accessToken,
      body: { password: PASSWORD },
    });
    expect(del.status).toBe(204);
    const left = async () =>
      (await count('SELECT count(*) AS n FROM notifications WHERE user_id = $1 OR actor_id = $1', [bob.id])) +
      (await count('SELECT count(*) AS n FROM deliveries WHERE user_id = $1', [bob.id])) +
      (await count('SELECT count(*) AS n FROM contacts WHERE user_id = $1', [bob.id])) +
      (await count('SELECT count(*) AS n FROM follows WHERE follower_id = $1 OR followee_id = $1', [bob.id])) +
      (await count('SELECT count(*) AS n FROM preferences WHERE user_id = $1', [bob.id]));
    expect(await left()).toBeGreaterThan(0);
    await waitFor(async () => (await left()) === 0, { what: "bob's data erased" });
    // Others keep theirs.
    expect(await count('SELECT count(*) AS n FROM notifications WHERE user_id = $1', [alice.id])).toBeGreaterThan(0);
  });
});
