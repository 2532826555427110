import { kafkaTopics, type Privacy } from '@wattstream/contracts';
import {
  accountDeletedRecord,
  outboxContract,
  serviceConsumerContract,
  timesHandled,
  unique,
} from '@wattstream/testkit';
import {
  api,
  type Social,
  SUMMARIZED,
  signUp,
  socialProcess,
  startSocial,
  summarizedEvent,
  usersAndDatabase,
} from './support.js';

const { usersUrl, databaseUrl, jwks } = usersAndDatabase('social');

// kill -9 right after committed privacy changes: their social.privacy.updated still reach Kafka.
const athletes = new Map<string, { id: string; token: string }>();
const AUDIENCES = ['nobody', 'friends', 'coach', 'public'] as const;
outboxContract({
  name: 'social (privacy)',
  topic: kafkaTopics.privacyUpdated.name,
  databaseUrl: () => databaseUrl(),
  process: () =>
    socialProcess({ DATABASE_URL: databaseUrl(), AUTH_JWKS_URL: jwks(), SOCIAL_CONSUMER_GROUP: unique('so') }),
  url: (p) => p.o.httpUrl,
  async change(baseUrl, aggregate, count) {
    let a = athletes.get(aggregate);
    if (!a) {
      const u = await signUp(usersUrl(), { name: aggregate });
      a = { id: u.id, token: u.tokens.accessToken };
      athletes.set(aggregate, a);
    }
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const live = AUDIENCES[i % AUDIENCES.length]!;
      const r = await api<Privacy>(baseUrl, 'PUT', '/v1/privacy', {
        token: a.token,
        body: { live, sessions: 'friends', location: 'nobody' },
      });
      if (r.status !== 200) throw new Error(`PUT privacy: ${r.status} ${JSON.stringify(r.body)}`);
      ids.push(`${a.id}:${Date.parse(r.body.updatedAt ?? '')}`);
    }
    return { key: a.id, ids };
  },
});

const suite = (
  name: string,
  topic: string,
  event: (i: number) => { key: string; value: unknown; id: string },
  effects: (svc: Social, id: string) => Promise<number>,
) => serviceConsumerContract({ name, topic, start: () => startSocial(jwks()), event, effects });

const athlete = unique('contract')
  .replace(/[^A-Za-z0-9_-]/g, '')
  .slice(0, 40);
const T = Date.UTC(2026, 0, 1);
/** Activity events the outbox holds or has sent for an activity: one per applied change. */
const announced = async (svc: Social, activityId: string) => {
  const r = await svc.ctx.db.query(
    `SELECT count(*) AS n FROM kernel_outbox WHERE topic = $1 AND value::jsonb->>'activityId' = $2`,
    [kafkaTopics.friendActivityUpdated.name, activityId],
  );
  return Number(r.rows[0].n);
};
suite(
  'social (training.session.summarized)',
  SUMMARIZED,
  (i) => {
    const v = summarizedEvent(athlete, T + i * 86_400_000);
    return { key: athlete, value: v, id: v.sessionId };
  },
  announced,
);
suite(
  'social (training.started)',
  kafkaTopics.trainingStarted.name,
  (i) => {
    const startedAt = T + i * 86_400_000 + 1;
    const sessionId = `${athlete}:${startedAt}`;
    return { key: athlete, value: { sessionId, athleteId: athlete, startedAt, deviceIds: ['d1'] }, id: sessionId };
  },
  announced,
);
suite(
  'social (user.coach.link.updated)',
  kafkaTopics.coachLinkUpdated.name,
  (i) => ({
    key: athlete,
    value: { athleteId: athlete, coachId: `coach-${i}`, active: true, updatedAt: T + i },
    id: `${athlete}:coach-${i}:${T + i}`,
  }),
  async (svc, id) => {
    const coachId = id.split(':')[1];
    const r = await svc.ctx.db.query('SELECT 1 FROM coach_links WHERE athlete_id = $1 AND coach_id = $2 AND active', [
      athlete,
      coachId,
    ]);
    return r.rowCount ?? 0;
  },
);
// an erasure changes nothing visible when the user had nothing here: count its handled record
suite(
  'social (user.account.deleted)',
  kafkaTopics.accountDeleted.name,
  (i) => accountDeletedRecord(`${athlete}-d${i}`, T + i),
  timesHandled,
);
