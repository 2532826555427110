import { readFileSync } from 'node:fs';
import { type Assignment, kafkaTopics, type Session, type Workout } from '@wattstream/contracts';

type Today = { date: string; items: Assignment[] };

import { collect, encodeRide, testKafka, waitFor } from '@wattstream/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, signUp, startTraining, startUsers, type Training, type Users, upload } from './support.js';

const file = (name: string) => readFileSync(new URL(`./files/${name}`, import.meta.url));

describe('training workouts and plans through the API', () => {
  const kafka = testKafka('training-plans');
  let users: Users;
  let training: Training;
  let assigned: Awaited<ReturnType<typeof collect>>;
  let rider: Awaited<ReturnType<typeof signUp>>;

  beforeAll(async () => {
    users = await startUsers();
    training = await startTraining(`${users.url}/.well-known/jwks.json`);
    assigned = await collect(kafka, kafkaTopics.workoutAssigned.name);
    rider = await signUp(users.url, { name: 'planner' });
  }, 120_000);
  afterAll(async () => {
    await assigned?.stop();
    await training?.destroy();
    await users?.destroy();
  });
  const token = () => rider.tokens.accessToken;

  it('imports .zwo, .erg and .mrc files and exports them again', async () => {
    for (const [name, format] of [
      ['sweet-spot.zwo', 'zwo'],
      ['over-unders.erg', 'erg'],
      ['threshold.mrc', 'mrc'],
    ] as const) {
      const r = await upload(`${training.url}/v1/workouts/import`, token(), file(name), name);
      expect(r.status, JSON.stringify(r.body)).toBe(201);
      const w = r.body as unknown as Workout;
      expect(w.athleteId).toBe(rider.id);
      const res = await fetch(`${training.url}/v1/workouts/${w.id}/export.${format}`, {
        headers: { authorization: `Bearer ${token()}` },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-disposition')).toMatch(new RegExp(`\\.${format}"$`));
      const back = await upload(
        `${training.url}/v1/workouts/import`,
        token(),
        Buffer.from(await res.text()),
        `x.${format}`,
      );
      expect(back.status).toBe(201);
      expect((back.body as unknown as Workout).steps).toEqual(w.steps);
    }
  });

  it('answers a .zwo with unknown elements with a 422 naming the element, and stores nothing', async () => {
    const before = await api<{ items: Workout[] }>(training.url, 'GET', '/v1/workouts', { token: token() });
    const r = await upload(`${training.url}/v1/workouts/import`, token(), file('unknown-element.zwo'), 'bad.zwo');
    expect(r.status).toBe(422);
    expect(r.body.code).toBe('WS_TRAINING_WORKOUT_FILE_INVALID');
    expect(String(r.body.detail)).toContain('<SolidState>');
    const after = await api<{ items: Workout[] }>(training.url, 'GET', '/v1/workouts', { token: token() });
    expect(after.body.items.length).toBe(before.body.items.length);
    const hr = await api<Workout>(training.url, 'POST', '/v1/workouts', {
      token: token(),
      body: { name: 'HR', steps: [{ kind: 'steady', durationS: 600, target: { unit: 'hrZone', value: 2 } }] },
    });
    expect(hr.status).toBe(201);
    const erg = await api<{ code: string }>(training.url, 'GET', `/v1/workouts/${hr.body.id}/export.erg`, {
      token: token(),
    });
    expect(erg.status).toBe(422);
    expect(erg.body.code).toBe('WS_TRAINING_FORMAT_UNSUPPORTED');
    const extra = await api(training.url, 'POST', '/v1/workouts', {
      token: token(),
      body: { name: 'x', steps: [{ kind: 'free', durationS: 60 }], owner: 'someone-else' },
    });
    expect(extra.status).toBe(400);
  });

  it('plans a workout for a day, shows it as today’s, and links the session that ran it with compliance', async () => {
    const w = await api<Workout>(training.url, 'POST', '/v1/workouts', {
      token: token(),
      body: {
        name: 'Two steps',
        steps: [
          { kind: 'steady', durationS: 60, target: { unit: 'watts', value: 200 } },
          {
            kind: 'intervals',
            repeat: 2,
            onDurationS: 30,
            onTarget: { unit: 'ftp', value: 150 },
            offDurationS: 30,
            offTarget: { unit: 'ftp', value: 50 },
          },
        ],
      },
    });
    expect(w.status).toBe(201);
    expect(w.body.durationS).toBe(180);
    const day = '2026-11-20';
    const a = await api<Assignment>(training.url, 'POST', '/v1/calendar', {
      token: token(),
      body: { workoutId: w.body.id, date: day },
    });
    expect(a.status).toBe(201);
    const today = await api<Today>(training.url, 'GET', `/v1/today?date=${day}`, { token: token() });
    expect(today.body.items.map((x) => x.workout.name)).toEqual(['Two steps']);
    await waitFor(() => assigned.records.some((r) => r.headers.ce_id?.startsWith(`${a.body.id}:`)), {
      what: 'training.workout.assigned',
    });
    expect(assigned.records.find((r) => r.key === rider.id)?.value).toMatchObject({
      action: 'assigned',
      workoutId: w.body.id,
      date: day,
      plannedDurationS: 180,
    });

    // the ride: 60 s at 190 W, then 30 s at 300 W / 30 s at 100 W twice (default FTP 200)
    const watts = [
      ...Array(60).fill(190),
      ...[...Array(30).fill(300), ...Array(30).fill(100)],
      ...Array(30).fill(300),
      ...Array(30).fill(100),
    ];
    const r = await upload(
      `${training.url}/v1/sessions`,
      token(),
      encodeRide(
        new Date(`${day}T06:00:00Z`),
        watts.map((power) => ({ power, hr: 140, speed: 8 })),
      ),
      'plan.fit',
    );
    expect(r.status).toBe(201);
    const s = r.body as unknown as Session;
    expect(s.workoutId).toBe(w.body.id);
    expect(s.compliance?.map((c) => [c.kind, c.targetWatts, c.actualWatts])).toEqual([
      ['steady', 200, 190],
      ['on', 300, 300],
      ['off', 100, 100],
      ['on', 300, 300],
      ['off', 100, 100],
    ]);
    const after = await api<Today>(training.url, 'GET', `/v1/today?date=${day}`, { token: token() });
    expect(after.body.items[0]?.sessionId).toBe(s.id);

    const del = await api(training.url, 'DELETE', `/v1/calendar/${a.body.id}`, { token: token() });
    expect(del.status).toBe(204);
    await waitFor(
      () => assigned.records.some((x) => x.key === rider.id && (x.value as { action: string }).action === 'removed'),
      { what: 'the removal event' },
    );
    const other = await signUp(users.url, { name: 'nosy' });
    const theirs = await api(training.url, 'GET', `/v1/workouts/${w.body.id}`, { token: other.tokens.accessToken });
    expect(theirs.status).toBe(404);
    const range = await api(training.url, 'GET', '/v1/calendar?from=2016-01-01&to=2026-01-01', { token: token() });
    expect(range.status).toBe(400);
  });
});
