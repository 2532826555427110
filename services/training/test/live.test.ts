import { kafkaTopics, type SessionPage } from '@wattstream/contracts';
import { collect, produceEvent, testKafka, waitFor } from '@wattstream/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, completedEvent, signUp, startTraining, startUsers, type Training, type Users } from './support.js';

describe('training: live sessions from the stream', () => {
  const kafka = testKafka('training-live');
  let users: Users;
  let training: Training;
  let summarized: Awaited<ReturnType<typeof collect>>;
  let rider: Awaited<ReturnType<typeof signUp>>;

  beforeAll(async () => {
    users = await startUsers();
    training = await startTraining(`${users.url}/.well-known/jwks.json`);
    summarized = await collect(kafka, kafkaTopics.sessionSummarized.name);
    rider = await signUp(users.url, { name: 'live' });
  }, 120_000);
  afterAll(async () => {
    await summarized?.stop();
    await training?.destroy();
    await users?.destroy();
  });
  const list = () => api<SessionPage>(training.url, 'GET', '/v1/sessions', { token: rider.tokens.accessToken });

  it('shows a started session as live, then completed with the stream’s summary — once, though delivered three times', async () => {
    const t0 = Date.now() - 3_700_000;
    const id = `${rider.id}:${t0}`;
    await produceEvent(kafka, kafkaTopics.trainingStarted.name, {
      key: rider.id,
      value: { sessionId: id, athleteId: rider.id, startedAt: t0, deviceIds: ['trainer'] },
      id,
    });
    const live = await waitFor(async () => (await list()).body.items.find((s) => s.id === id), {
      what: 'the live session',
    });
    expect(live).toMatchObject({ state: 'live', summary: null, source: 'live' });

    const done = completedEvent(rider.id, t0, { timeInPowerZones: [60, 300, 600, 420, 30, 10, 0] });
    for (let i = 0; i < 3; i++) {
      await produceEvent(kafka, kafkaTopics.trainingCompleted.name, { key: rider.id, value: done, id });
    }
    const marker = completedEvent(rider.id, t0 + 7_200_000);
    await produceEvent(kafka, kafkaTopics.trainingCompleted.name, {
      key: rider.id,
      value: marker,
      id: marker.sessionId,
    });
    await waitFor(() => summarized.records.some((r) => r.headers.ce_id === `${marker.sessionId}:1`), {
      what: 'the event after the redeliveries',
    });
    // training.completed shares its ce_id with training.started: it is not a redelivery of it
    expect((await list()).body.items.find((s) => s.id === id)).toMatchObject({ state: 'completed', revision: 1 });
    // the same summary under another ce_id (a replay by a new producer) changes nothing either
    await produceEvent(kafka, kafkaTopics.trainingCompleted.name, { key: rider.id, value: done, id: `${id}-replayed` });
    const marker2 = completedEvent(rider.id, t0 + 9_000_000);
    await produceEvent(kafka, kafkaTopics.trainingCompleted.name, {
      key: rider.id,
      value: marker2,
      id: marker2.sessionId,
    });
    await waitFor(() => summarized.records.some((r) => r.headers.ce_id === `${marker2.sessionId}:1`), {
      what: 'the event after the replay',
    });
    const mine = summarized.records.filter((r) => (r.value as { sessionId: string }).sessionId === id);
    // one summary (revision 1); the outbox is at-least-once, so Kafka may hold it twice under that one ce_id
    expect([...new Set(mine.map((r) => r.headers.ce_id))]).toEqual([`${id}:1`]);
    expect(mine[0]!.value).toMatchObject({ source: 'live', ftp: 250, kj: 720, load: 77.4 });
    const sessions = (await list()).body.items.filter((s) => s.id === id);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ state: 'completed', revision: 1 });
    expect(sessions[0]!.summary).toMatchObject({
      normalizedPower: 220,
      intensity: 0.88,
      ftp: 250,
      timeInPowerZones: [60, 300, 600, 420, 30, 10, 0],
      timeInHrZones: null,
    });
    const n = await training.ctx.db.query('SELECT count(*) AS n FROM sessions WHERE athlete_id = $1', [rider.id]);
    expect(Number(n.rows[0].n)).toBe(3);
  });
});
