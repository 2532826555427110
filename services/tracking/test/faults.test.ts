import { kafkaTopics, type SampleSeries } from '@wattstream/contracts';
import { startQuestDb } from '@wattstream/infra/testing';
import { replayDeadLetters } from '@wattstream/kernel';
import { consumerContract, produceEvent, testKafka, testLogger, unique, waitFor } from '@wattstream/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, ride, signUp, startTracking, startUsers, type Tracking, type Users, writeRows } from './support.js';

const kafka = testKafka('tracking-faults');
let users: Users;
beforeAll(async () => {
  users = await startUsers();
}, 120_000);
afterAll(() => users?.destroy());
const jwks = () => `${users.url}/.well-known/jwks.json`;

describe('QuestDB stops under the tracking service', () => {
  it('answers 503 with a code while it is down and recovers by itself when it returns', async () => {
    const qdb = await startQuestDb();
    const tracking = await startTracking(jwks(), { QUESTDB_HTTP: qdb.httpUrl, TRACKING_QUERY_TIMEOUT: '3s' });
    try {
      const rider = await signUp(users.url, { name: 'outage' });
      const t0 = Date.UTC(2026, 10, 1, 6);
      const id = `${rider.id}:${t0}`;
      await writeRows(qdb.httpUrl, rider.id, ride(t0, 60));
      await produceEvent(kafka, kafkaTopics.trainingStarted.name, {
        key: rider.id,
        value: { sessionId: id, athleteId: rider.id, startedAt: t0, deviceIds: ['trainer'] },
        id,
      });
      const read = () =>
        api<SampleSeries & { code?: string }>(
          tracking.url,
          'GET',
          `/v1/sessions/${encodeURIComponent(id)}/samples?points=60`,
          {
            token: rider.tokens.accessToken,
          },
        );
      const before = await waitFor(
        async () => {
          const r = await read();
          return r.status === 200 ? r : undefined;
        },
        { what: 'the session' },
      );
      expect(before.body.power.filter((p) => p !== null).length).toBeGreaterThan(0);
      await qdb.node.stop();
      const down = await read();
      expect(down.status).toBe(503);
      expect(down.body.code).toBe('WS_TRACKING_HISTORY_UNAVAILABLE');
      expect(down.headers.get('retry-after')).toBe('5');
      await qdb.node.start();
      const back = await waitFor(
        async () => {
          const r = await read();
          return r.status === 200 ? r : undefined;
        },
        { what: 'the history after QuestDB restarted', timeoutMs: 60_000 },
      );
      expect(back.body.power).toEqual(before.body.power);
    } finally {
      await tracking.destroy();
      await qdb.destroy();
    }
  }, 180_000);
});

/** One tracking service per contract suite, on its own database and consumer group. */
function suite(name: string, topic: string, event: (i: number) => { key: string; value: unknown; id: string }) {
  let svc: Tracking;
  consumerContract({
    name,
    topic,
    get group() {
      return svc?.group ?? '';
    },
    async start() {
      svc = await startTracking(jwks());
    },
    stop: () => svc?.destroy(),
    event,
    effects: async (id) =>
      (await svc.ctx.db.query('SELECT 1 FROM sessions WHERE id = $1 AND ended_at IS NOT NULL', [id.split('#')[0]]))
        .rowCount ?? 0,
    replay: () => replayDeadLetters(svc.consumerGroups[0]!, kafka, topic, testLogger),
  });
}

const athlete = unique('tk')
  .replace(/[^A-Za-z0-9_-]/g, '')
  .slice(0, 40);
const T = Date.UTC(2026, 0, 1);
const summary = {
  durationS: 60,
  movingS: 60,
  distanceM: 0,
  kj: 12,
  avgPower: 200,
  maxPower: 200,
  normalizedPower: 200,
  intensity: 1,
  load: 1.7,
  avgHr: null,
  maxHr: null,
};
suite('tracking (training.completed)', kafkaTopics.trainingCompleted.name, (i) => {
  const startedAt = T + i * 86_400_000;
  const sessionId = `${athlete}:${startedAt}`;
  return {
    key: athlete,
    id: sessionId,
    value: {
      sessionId,
      athleteId: athlete,
      startedAt,
      endedAt: startedAt + 60_000,
      ...summary,
      samples: 60,
      profileSource: 'default',
    },
  };
});
suite('tracking (training.session.summarized)', kafkaTopics.sessionSummarized.name, (i) => {
  const startedAt = T + i * 86_400_000 + 7;
  const sessionId = `${athlete}:${startedAt}`;
  return {
    key: athlete,
    id: `${sessionId}#1`,
    value: {
      sessionId,
      athleteId: athlete,
      revision: 1,
      source: 'upload',
      sport: 'cycling',
      startedAt,
      endedAt: startedAt + 60_000,
      ...summary,
      timeInPowerZones: null,
      timeInHrZones: null,
      ftp: 200,
      gearId: null,
      workoutId: null,
      summarizedAt: startedAt,
    },
  };
});
