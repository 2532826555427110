import { kafkaTopics } from '@wattstream/contracts';
import { testDatabase } from '@wattstream/infra/testing';
import { outboxContract, serviceConsumerContract, summarizedEvent, unique, waitFor } from '@wattstream/testkit';
import { afterAll, beforeAll } from 'vitest';
import { notificationId } from '../src/notify.js';
import { contactVersion } from '../src/store/contacts.js';
import {
  contact,
  emit,
  type Notifications,
  notificationsProcess,
  sql,
  startNotifications,
  syncFailed,
  uid,
} from './support.js';

let db: Awaited<ReturnType<typeof testDatabase>>;
beforeAll(async () => {
  db = await testDatabase('notifications');
}, 120_000);
afterAll(async () => {
  await db?.drop();
});

// kill -9 between committing notifications and publishing their notifications.live records: the
// records still reach Kafka, in order per user. A change is an event a consumer turns into a
// notification (a friend's finished ride, for a follow edge only this suite's database holds, so
// the other notifications instances of the test run, which read the same topics, stay silent);
// it is done when its notification is committed.
const group = unique('notifications-outbox');
const fans = new Map<string, string>();
outboxContract({
  name: 'notifications (notifications.live)',
  topic: kafkaTopics.notificationLive.name,
  databaseUrl: () => db.url,
  process: () => notificationsProcess({ DATABASE_URL: db.url, NOTIFICATIONS_CONSUMER_GROUP: group }),
  url: (p) => p.o.httpUrl,
  async change(_baseUrl, aggregate, count) {
    let fan = fans.get(aggregate);
    const actor = () => `${fan}-rider`;
    if (!fan) {
      fan = uid(aggregate).slice(0, 50);
      fans.set(aggregate, fan);
      await sql(
        db.url,
        `INSERT INTO follows (followee_id, follower_id, state, updated_at) VALUES ($1, $2, 'accepted', $3)`,
        [actor(), fan, Date.now()],
      );
    }
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const ce = await emit(kafkaTopics.friendActivityUpdated.name, actor(), {
        activityId: unique('ride'),
        actorId: actor(),
        verb: 'completed',
        sport: 'ride',
        visibility: 'followers',
        occurredAt: Date.now(),
      });
      ids.push(notificationId(ce, fan, 'friend.ride.completed'));
    }
    await waitFor(
      async () =>
        Number(
          (await sql<{ n: string }>(db.url, 'SELECT count(*) AS n FROM notifications WHERE id = ANY($1)', [ids]))[0]?.n,
        ) === ids.length,
      { what: 'the notifications committed', timeoutMs: 90_000 },
    );
    return { key: fan, ids };
  },
});

/** One running notifications service per contract suite, on its own database and consumer group. */
function suite(
  name: string,
  topic: string,
  event: (i: number) => { key: string; value: unknown; id: string },
  effects: (svc: Notifications, id: string) => Promise<number>,
  prepare?: (svc: Notifications) => Promise<void>,
) {
  serviceConsumerContract({
    name,
    topic,
    async start() {
      const svc = await startNotifications('http://127.0.0.1:9/jwks.json');
      await prepare?.(svc);
      return svc;
    },
    event,
    effects,
  });
}

const T = Date.now() - 3_600_000;
const key = uid('contract');
const ce = (what: string, i: number) => `${key}:${what}:${i}`;
const notificationsOf = async (svc: Notifications, id: string) =>
  Number(
    (await svc.ctx.db.query<{ n: string }>('SELECT count(*) AS n FROM notifications WHERE source_id = $1', [id]))
      .rows[0]?.n,
  );

suite(
  'notifications (user.contact.updated)',
  kafkaTopics.contactUpdated.name,
  (i) => ({ key, value: contact(key, { updatedAt: T + i }), id: ce('contact', i) }),
  // The projection reflects an event when it holds that version or a later one.
  async (svc, id) => {
    const v = await contactVersion(svc.ctx.db, key);
    return v !== undefined && v >= T + Number(id.split(':').pop()) ? 1 : 0;
  },
);

suite(
  'notifications (social.follow.updated)',
  kafkaTopics.followUpdated.name,
  (i) => ({
    key,
    value: { followeeId: key, followerId: `${key}-f${i}`, state: 'requested', updatedAt: T + i },
    id: ce('follow', i),
  }),
  notificationsOf,
);

suite(
  'notifications (friend.activity.updated)',
  kafkaTopics.friendActivityUpdated.name,
  (i) => ({
    key,
    value: {
      activityId: `${key}-ride-${i}`,
      actorId: key,
      verb: 'completed',
      sport: 'ride',
      visibility: 'followers',
      summary: { durationS: 3600, distanceM: 30_000, kj: 700, avgPower: 190 },
      occurredAt: T + i,
    },
    id: ce('activity', i),
  }),
  notificationsOf,
  async (svc) => {
    await svc.ctx.db.query(
      `INSERT INTO follows (followee_id, follower_id, state, updated_at) VALUES ($1, $2, 'accepted', $3)`,
      [key, `${key}-fan`, T],
    );
  },
);

suite(
  'notifications (training.session.summarized)',
  kafkaTopics.sessionSummarized.name,
  (i) => ({ key, value: summarizedEvent(key, T + i), id: ce('summary', i) }),
  notificationsOf,
);

suite(
  'notifications (training.workout.assigned)',
  kafkaTopics.workoutAssigned.name,
  (i) => ({
    key,
    value: {
      assignmentId: crypto.randomUUID(),
      athleteId: key,
      assignedBy: `${key}-coach`,
      workoutId: crypto.randomUUID(),
      workoutName: `Workout ${i}`,
      date: '2026-12-01',
      plannedDurationS: 3600,
      action: 'assigned',
      updatedAt: T + i,
    },
    id: ce('assigned', i),
  }),
  notificationsOf,
);

suite(
  'notifications (integration.sync.failed)',
  kafkaTopics.integrationSyncFailed.name,
  (i) => ({ key, value: syncFailed(key, { activityId: `s${i}`, failedAt: T + i }), id: ce('sync', i) }),
  notificationsOf,
);

// Erasure: the effect of deleting user i is that their (pre-seeded) preferences are gone.
const erased = (i: number) => `${key}-gone-${i}`;
suite(
  'notifications (user.account.deleted)',
  kafkaTopics.accountDeleted.name,
  (i) => ({ key, value: { userId: erased(i), deletedAt: T + i }, id: ce('deleted', i) }),
  async (svc, id) => {
    const i = Number(id.split(':').pop());
    const r = await svc.ctx.db.query('SELECT 1 FROM preferences WHERE user_id = $1', [erased(i)]);
    return r.rowCount === 0 ? 1 : 0;
  },
  async (svc) => {
    for (let i = 0; i < 4; i++) {
      await svc.ctx.db.query(
        `INSERT INTO preferences (user_id, channels, kinds, digest, version, updated_at)
         VALUES ($1, '{"live":true,"email":true,"webhook":true}', '{}', 'daily', 1, now())`,
        [erased(i)],
      );
    }
  },
);

suite(
  'notifications (inventory.gear.service.due)',
  kafkaTopics.gearServiceDue.name,
  (i) => ({
    key,
    value: {
      userId: key,
      itemId: `${key}-bike`,
      name: 'Road bike',
      kind: 'bike',
      distanceM: 5_000_000 + i,
      sinceServiceM: 1_000_000 + i,
      serviceEveryM: 1_000_000,
      occurredAt: T + i,
    },
    id: ce('gear', i),
  }),
  notificationsOf,
);
