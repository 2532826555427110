import { kafkaTopics, type Workout } from '@wattstream/contracts';
import { outboxContract, serviceConsumerContract, unique } from '@wattstream/testkit';
import {
  api,
  completedEvent,
  signUp,
  startTraining,
  type Training,
  trainingProcess,
  usersAndDatabase,
} from './support.js';

const { usersUrl, databaseUrl, jwks } = usersAndDatabase('training');

// kill -9 right after committed calendar changes: their training.workout.assigned still reach Kafka.
const athletes = new Map<string, { id: string; token: string; workoutId: string }>();
outboxContract({
  name: 'training (calendar)',
  topic: kafkaTopics.workoutAssigned.name,
  databaseUrl: () => databaseUrl(),
  process: () =>
    trainingProcess({ DATABASE_URL: databaseUrl(), AUTH_JWKS_URL: jwks(), TRAINING_CONSUMER_GROUP: unique('tr') }),
  url: (p) => p.o.httpUrl,
  async change(baseUrl, aggregate, count) {
    let a = athletes.get(aggregate);
    if (!a) {
      const u = await signUp(usersUrl(), { name: aggregate });
      const w = await api<Workout>(baseUrl, 'POST', '/v1/workouts', {
        token: u.tokens.accessToken,
        body: { name: 'Endurance', steps: [{ kind: 'steady', durationS: 3600, target: { unit: 'ftp', value: 65 } }] },
      });
      if (w.status !== 201) throw new Error(`POST workout: ${w.status} ${JSON.stringify(w.body)}`);
      a = { id: u.id, token: u.tokens.accessToken, workoutId: w.body.id };
      athletes.set(aggregate, a);
    }
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const r = await api<{ id: string; createdAt: string }>(baseUrl, 'POST', '/v1/calendar', {
        token: a.token,
        body: { workoutId: a.workoutId, date: '2026-12-01' },
      });
      if (r.status !== 201) throw new Error(`POST calendar: ${r.status} ${JSON.stringify(r.body)}`);
      ids.push(`${r.body.id}:${Date.parse(r.body.createdAt)}`);
    }
    return { key: a.id, ids };
  },
});

const suite = (
  name: string,
  topic: string,
  event: (i: number) => { key: string; value: unknown; id: string },
  count: (svc: Training, id: string) => Promise<number>,
) => serviceConsumerContract({ name, topic, start: () => startTraining(jwks()), event, effects: count });

const athlete = unique('contract')
  .replace(/[^A-Za-z0-9_-]/g, '')
  .slice(0, 40);
const T = Date.UTC(2026, 0, 1);
suite(
  'training (training.completed)',
  kafkaTopics.trainingCompleted.name,
  (i) => {
    const v = completedEvent(athlete, T + i * 86_400_000);
    return { key: athlete, value: v, id: v.sessionId };
  },
  async (svc, id) => {
    const r = await svc.ctx.db.query<{ revision: number }>('SELECT revision FROM sessions WHERE id = $1', [id]);
    return r.rows[0]?.revision ?? 0;
  },
);
suite(
  'training (training.started)',
  kafkaTopics.trainingStarted.name,
  (i) => {
    const startedAt = T + i * 86_400_000 + 1;
    const sessionId = `${athlete}:${startedAt}`;
    return { key: athlete, value: { sessionId, athleteId: athlete, startedAt, deviceIds: ['d1'] }, id: sessionId };
  },
  async (svc, id) => (await svc.ctx.db.query('SELECT 1 FROM sessions WHERE id = $1', [id])).rowCount ?? 0,
);
