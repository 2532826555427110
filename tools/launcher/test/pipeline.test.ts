import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { kafkaTopics, type TrainingCompleted, type TrainingStarted } from '@wattstream/contracts';
import { isAlive, repoRoot } from '@wattstream/infra';
import { freePort, tempDir } from '@wattstream/infra/testing';
import { fetchTrace, recentTraces, renderTrace, type TraceSpan } from '@wattstream/observability';
import { loadConfig, questdbExec } from '@wattstream/platform';
import { collect, fitFixture, testKafka, waitFor } from '@wattstream/testkit';
import { afterAll, assert, beforeAll, describe, expect, inject, it } from 'vitest';
import { readFitFile, rideTotals } from '../../../stream/test/helpers/fit.js';
import { type Frame, LiveClient } from '../../../stream/test/helpers/live-client.js';
import { LAUNCHER_PORT_SETTINGS, launcherConfig, Pipeline, type PipelineInfo, SIM_GROUP_ID } from '../src/index.js';

/** Coggan's power zones 1–7 (the profile's default bounds). */
const powerZoneOf = (watts: number, ftp: number) => {
  const f = watts / ftp;
  const bounds = [0.55, 0.75, 0.9, 1.05, 1.2, 1.5];
  const i = bounds.findIndex((b) => f < b);
  return i === -1 ? 7 : i + 1;
};

/**
 * The whole pipeline as `pnpm pipeline up` runs it (every service a real process from its
 * compiled CLI, a simulated fleet publishing through a real edge agent), against the suite's real
 * Kafka and QuestDB: what the README's run command starts, checked end to end.
 */
const run = promisify(execFile);
const root = repoRoot();
const infra = inject('infra');
const suffix = Date.now().toString(36);
const dataDir = tempDir('pipeline');
// Own ports and databases: other test files (the benchmarks' smoke runs) start pipelines too.
// Every batch traced: the main job as `up --observe` runs it, sending spans to a real Zipkin.
const env: Record<string, string> = {
  DATA_DIR: dataDir,
  SIM_ATHLETES: '3',
  PIPELINE_DATABASE_PREFIX: `t${suffix}_`,
  OBSERVE_TRACE_RATIO: '1',
};
for (const name of LAUNCHER_PORT_SETTINGS) env[name] = String(await freePort());
const cfg = loadConfig(launcherConfig, env);
const pipeline = new Pipeline(cfg, () => {}, infra, {
  LOG_LEVEL: 'warn',
  // Own consumer group and transactional id: other test files run stream workers on this Kafka.
  STREAM_GROUP_ID: `pipeline-test-${suffix}`,
  STREAM_INSTANCE_ID: `pipeline-test-${suffix}`,
  STREAM_SESSION_GAP: '10s',
  STREAM_COMMIT_INTERVAL: '500ms',
});
let info: PipelineInfo;

beforeAll(async () => {
  info = await pipeline.up({ trace: true });
}, 240_000);
afterAll(async () => {
  await pipeline.down();
}, 120_000);

function isBoardWith(frame: Frame, athlete: string): boolean {
  const data = frame.data as { entries?: { athleteId: string }[] } | undefined;
  return frame.type === 'leaderboard' && (data?.entries ?? []).some((e) => e.athleteId === athlete);
}

describe('pnpm pipeline up: the whole pipeline on one machine', () => {
  it('starts every service ready and prints a dashboard URL that serves the page', async () => {
    const status = await pipeline.status();
    expect(status.map((s) => [s.name, s.ready])).toEqual([
      ['users', true],
      ['ingest', true],
      ['sink', true],
      ['stream-worker', true],
      ['live', true],
      ['training', true],
      ['tracking', true],
      ['social', true],
      ['mail', true],
      ['notifications', true],
      ['inventory', true],
      ['web', true],
      ['legacy', true],
      ['gateway', true],
      ['edge-sim', true],
    ]);
    expect(info.dashboardUrl).toContain(`group=${SIM_GROUP_ID}`);
    const page = await fetch(info.dashboardUrl);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
  });

  it('delivers the simulated fleet to live clients: athlete stats and the group leaderboard', async () => {
    const athlete = info.athletes[0] ?? assert.fail('the pipeline simulates no athletes');
    const client = await LiveClient.open(`ws://127.0.0.1:${cfg.livePort}/v1/live?access_token=${info.viewerToken}`);
    try {
      client.send({ type: 'subscribe', channel: `athlete:${athlete}` });
      client.send({ type: 'subscribe', channel: `group:${SIM_GROUP_ID}` });
      const stats = (await client.next((f) => f.type === 'stats', 30_000)) as Frame & {
        data: { metrics: { power: unknown } };
      };
      // The first leaderboard can be empty: it may be built before the worker's first stats arrive.
      const board = (await client.next((f) => isBoardWith(f, athlete), 30_000)) as Frame & {
        data: { groupId: string };
      };
      expect(client.frames.filter((f) => f.type === 'error')).toEqual([]);
      expect(stats.channel).toBe(`athlete:${athlete}`);
      expect(typeof stats.data.metrics.power).toBe('number');
      expect(board.data.groupId).toBe(SIM_GROUP_ID);
    } finally {
      client.ws.close();
    }
  }, 60_000);

  it("traces one sample's journey as one trace in Zipkin: edge publish → ingest → worker → the live frame", async () => {
    const athlete = info.athletes[0] ?? assert.fail('the pipeline simulates no athletes');
    const client = await LiveClient.open(`ws://127.0.0.1:${cfg.livePort}/v1/live?access_token=${info.viewerToken}`);
    let traceparent: string;
    try {
      client.send({ type: 'subscribe', channel: `athlete:${athlete}` });
      const stats = (await client.next((f) => f.type === 'stats', 30_000)) as Frame & { traceparent?: string };
      traceparent = stats.traceparent ?? assert.fail('a traced stats frame carries its traceparent');
    } finally {
      client.ws.close();
    }
    const [, traceId, frameSpanId, flags] = traceparent.split('-');
    expect(flags).toBe('01');
    const names = ['edge batch', 'ingest samples', 'stream apply', 'live fanout'];
    const spans = await waitFor(
      async () => {
        const t = await fetchTrace(pipeline.observer.zipkin.url, traceId as string);
        return names.every((n) => t.some((s) => s.name === n)) ? t : undefined;
      },
      30_000,
      'the whole trace in Zipkin',
    );
    const one = (name: string) => {
      const found = spans.filter((s) => s.name === name);
      expect(found, name).toHaveLength(1);
      return found[0] as TraceSpan;
    };
    const [edge, ingest, apply, fanout] = names.map(one) as [TraceSpan, TraceSpan, TraceSpan, TraceSpan];
    expect(edge.parentId).toBeUndefined();
    expect(ingest.parentId).toBe(edge.id);
    expect(apply.parentId).toBe(ingest.id);
    expect(fanout.parentId).toBe(apply.id);
    // the browser's frame names the live server's span: the last hop of the trace
    expect(fanout.id).toBe(frameSpanId);
    expect([edge, ingest, apply, fanout].map((s) => s.localEndpoint?.serviceName)).toEqual([
      'edge',
      'ingest',
      'stream-worker',
      'stream-live',
    ]);
    for (const [a, b] of [
      [edge, ingest],
      [ingest, apply],
      [apply, fanout],
    ] as const) {
      expect(b.timestamp).toBeGreaterThanOrEqual(a.timestamp);
    }
    // what `pipeline trace` without an id looks up: the newest traces that reached a live frame
    const recent = await recentTraces(pipeline.observer.zipkin.url, { limit: 50 });
    expect(recent.some((t) => t.some((s) => s.name === 'live fanout'))).toBe(true);
    expect(renderTrace(spans)).toMatch(
      /edge batch[\s\S]*\n {2}ingest samples[\s\S]*\n {4}stream apply[\s\S]*\n {6}live fanout/,
    );
  }, 60_000);

  it("through the gateway: the fleet's coach signs in, the pages load, and /live carries the fleet's stats", async () => {
    const athlete = info.athletes[0] ?? assert.fail('the pipeline simulates no athletes');
    const gw = info.gatewayUrl;
    const login = await fetch(`${gw}/users/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'coach@fleet.wattstream.local', password: cfg.simPassword }),
    });
    expect(login.status).toBe(200);
    const { accessToken } = (await login.json()) as { accessToken: string };
    // The strangler is finished in the main job: /training reaches the training service.
    const sessions = await fetch(`${gw}/training/v1/sessions?athleteId=${athlete}`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(sessions.status).toBe(200);
    for (const [path, marker] of [
      ['/dashboard/', 'app.js'],
      ['/dashboard/app.js', 'WebSocket'],
      ['/app/', 'session.js'],
      ['/app/session.js', 'wattstreamSession'],
      ['/app/signin', '<form'],
    ] as const) {
      const page = await fetch(`${gw}${path}`);
      expect(page.status, path).toBe(200);
      expect(await page.text(), path).toContain(marker);
    }
    expect((await fetch(`${gw}/no-such-thing`)).status).toBe(404);
    const client = await LiveClient.open(
      `ws://127.0.0.1:${cfg.gatewayPort}/live/v1/live?access_token=${encodeURIComponent(accessToken)}`,
    );
    try {
      client.send({ type: 'subscribe', channel: `athlete:${athlete}` });
      const stats = await client.next((f) => f.type === 'stats', 30_000);
      expect(stats.channel).toBe(`athlete:${athlete}`);
      expect(client.frames.filter((f) => f.type === 'error')).toEqual([]);
    } finally {
      client.ws.close();
    }
  }, 60_000);

  it('seeds the fleet as users: a rider logs in, sets an FTP, and the live zones follow it', async () => {
    const athlete = info.athletes[0] ?? assert.fail('the pipeline simulates no athletes');
    const users = info.usersUrl;
    const login = await fetch(`${users}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `${athlete}@fleet.wattstream.local`, password: cfg.simPassword }),
    });
    expect(login.status).toBe(200);
    const { accessToken } = (await login.json()) as { accessToken: string };
    const me = (await (
      await fetch(`${users}/v1/me/profile`, { headers: { authorization: `Bearer ${accessToken}` } })
    ).json()) as Record<string, unknown> & { version: number };
    expect(me).toMatchObject({ athleteId: athlete, ftp: 180 });
    const client = await LiveClient.open(`ws://127.0.0.1:${cfg.livePort}/v1/live?access_token=${info.viewerToken}`);
    type Stats = Frame & {
      data: { profileSource: string; metrics: { power: number | null; powerZone: number | null } };
    };
    const zoneFits = (f: Frame, ftp: number) => {
      const s = f as Stats;
      if (f.type !== 'stats' || s.data.profileSource !== 'profile' || s.data.metrics.power === null) return false;
      const expected = powerZoneOf(s.data.metrics.power, ftp);
      return s.data.metrics.powerZone === expected;
    };
    try {
      client.send({ type: 'subscribe', channel: `athlete:${athlete}` });
      // The stream read the seeded profile: zones from FTP 180 W.
      await client.next((f) => zoneFits(f, 180), 60_000);
      const put = await fetch(`${users}/v1/me/profile`, {
        method: 'PUT',
        headers: {
          authorization: `Bearer ${accessToken}`,
          'content-type': 'application/json',
          'if-match': `"v${me.version}"`,
        },
        body: JSON.stringify({ ...me, ftp: 400, athleteId: undefined, version: undefined, updatedAt: undefined }),
      });
      expect(put.status).toBe(200);
      // A much higher FTP: the same power now sits in a lower zone.
      await client.next((f) => zoneFits(f, 400) && !zoneFits(f, 180), 60_000);
    } finally {
      client.ws.close();
    }
  }, 150_000);

  it('social decides who watches live: A follows B, B allows friends, A sees B; B revokes, the next frame never comes', async () => {
    const [b, a] = info.athletes;
    if (!a || !b) assert.fail('the pipeline simulates fewer than two athletes');
    const signIn = async (id: string) => {
      const r = await fetch(`${info.usersUrl}/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: `${id}@fleet.wattstream.local`, password: cfg.simPassword }),
      });
      expect(r.status).toBe(200);
      return ((await r.json()) as { accessToken: string }).accessToken;
    };
    const [tokenA, tokenB] = await Promise.all([signIn(a), signIn(b)]);
    // through the gateway, as the apps call it
    const social = async (token: string, method: string, path: string, body: unknown) => {
      const r = await fetch(`${info.gatewayUrl}/social/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(r.status, `${method} ${path}`).toBeLessThan(300);
    };
    const channel = `athlete:${b}`;
    const client = await LiveClient.open(`ws://127.0.0.1:${cfg.livePort}/v1/live?access_token=${tokenA}`);
    try {
      // B's default audience is their coach: A is refused
      client.send({ type: 'subscribe', channel });
      expect(await client.next((f) => f.channel === channel && f.type === 'error', 10_000)).toMatchObject({
        code: 'WS_LIVE_FORBIDDEN',
      });
      await social(tokenA, 'POST', '/follows', { followeeId: b });
      await social(tokenB, 'PUT', `/followers/${a}`, { state: 'accepted' });
      await social(tokenB, 'PUT', '/privacy', { live: 'friends', sessions: 'friends', location: 'nobody' });
      // the live server learns it from social's events: subscribe until it admits A
      await waitFor(
        async () => {
          const seen = client.frames.length;
          client.send({ type: 'subscribe', channel });
          const f = await client.next((x) => x.channel === channel && x.type !== 'stats', 10_000, seen);
          if (f.type !== 'subscribed') await new Promise((r) => setTimeout(r, 250));
          return f.type === 'subscribed';
        },
        30_000,
        'A admitted to B’s channel',
      );
      await client.next((f) => f.type === 'stats' && f.channel === channel, 30_000);

      const revokedAt = Date.now();
      const before = client.frames.length;
      await social(tokenB, 'PUT', '/privacy', { live: 'nobody', sessions: 'friends', location: 'nobody' });
      const revoked = await client.next((f) => f.type === 'error' && f.channel === channel, 30_000, before);
      expect(revoked).toMatchObject({ code: 'WS_LIVE_FORBIDDEN' });
      const statsAtRevocation = client.frames.filter((f) => f.type === 'stats' && f.channel === channel).length;
      console.info(`social: revocation → live stop in ${Date.now() - revokedAt} ms`);
      // B keeps riding (4 Hz stats), none of it reaches A
      await new Promise((r) => setTimeout(r, 2000));
      expect(client.frames.filter((f) => f.type === 'stats' && f.channel === channel)).toHaveLength(statsAtRevocation);
    } finally {
      client.ws.close();
    }
  }, 120_000);

  it('when B finishes a ride, A (following B) gets an e-mail in the real mailbox and a live notification, and B’s bike counts the ride', async () => {
    const password = 'correct horse battery';
    const gateway = async <T>(token: string | undefined, method: string, path: string, body?: unknown) => {
      const r = await fetch(`${info.gatewayUrl}${path}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await r.text();
      expect(r.status, `${method} ${path}: ${text}`).toBeLessThan(300);
      return (text ? JSON.parse(text) : undefined) as T;
    };
    const account = async (name: string) => {
      const email = `${name}-${suffix}@example.com`;
      const { id } = await gateway<{ id: string }>(undefined, 'POST', '/users/v1/auth/register', {
        email,
        password,
        displayName: name,
      });
      const { accessToken } = await gateway<{ accessToken: string }>(undefined, 'POST', '/users/v1/auth/login', {
        email,
        password,
      });
      return { id, email, token: accessToken };
    };
    const [a, b] = [await account('Anna'), await account('Boris')];
    await gateway(a.token, 'POST', '/social/v1/follows', { followeeId: b.id });
    await gateway(b.token, 'PUT', `/social/v1/followers/${a.id}`, { state: 'accepted' });
    await gateway(b.token, 'PUT', '/social/v1/privacy', { live: 'friends', sessions: 'friends', location: 'nobody' });
    const bike = await gateway<{ id: string }>(b.token, 'POST', '/inventory/v1/gear', {
      kind: 'bike',
      name: 'Winter bike',
      isDefault: true,
    });
    const client = await LiveClient.open(`ws://127.0.0.1:${cfg.livePort}/v1/live?access_token=${a.token}`);
    const kafka = testKafka('pipeline-notify');
    const summarized = await collect(kafka, kafkaTopics.sessionSummarized.name);
    try {
      client.send({ type: 'subscribe', channel: `user:${a.id}` });
      await client.next((f) => f.type === 'subscribed', 10_000);
      const env = { ...process.env, ...infra, DATA_DIR: dataDir, ...pipeline.observer.tracingEnv() };
      const cli = (pkg: string) => join(root, pkg, 'dist', 'cli.js');
      const { stdout: token } = await run(
        process.execPath,
        [cli('ingest'), 'token', '--edge', 'b-edge', '--athlete', b.id],
        {
          env,
        },
      );
      // a generated 10-minute ride (never a fixture: the same ride with and without ../shared)
      const ride = fitFixture(`notify-${suffix}.fit`, { seconds: 600, start: new Date(Date.now() - 3_600_000) });
      await run(
        process.execPath,
        [
          cli('edge'),
          'replay',
          ride.path,
          '--athlete',
          b.id,
          '--speed',
          '0',
          '--original-timestamps',
          '--mqtt-url',
          info.mqttUrl,
          '--edge-id',
          'b-edge',
          '--token',
          token.trim(),
          '--data-dir',
          tempDir('b-edge'),
          '--http-port',
          '0',
          '--log-level',
          'warn',
        ],
        { env, timeout: 120_000 },
      );
      const summary = await waitFor(
        () => summarized.records.find((r) => (r.value as { athleteId: string }).athleteId === b.id),
        90_000,
        'the summary of B’s ride',
      );
      const summaryAt = Number(summary.message.timestamp);
      const { distanceM } = summary.value as { distanceM: number };
      expect(distanceM).toBeGreaterThan(0);

      const note = (await client.next(
        (f) => f.type === 'notification' && (f.data as { kind?: string }).kind === 'friend.ride.completed',
        60_000,
      )) as Frame & { data: { title: string; createdAt: number } };
      expect(note.data.title).toContain('Boris');
      const liveMs = Date.now() - summaryAt;

      const mailTo = (raw: string) => raw.includes(a.email) && raw.includes('Boris');
      const mail = await waitFor(
        () => {
          let files: string[] = [];
          try {
            files = readdirSync(join(info.mailbox, 'new'));
          } catch {
            return undefined;
          }
          const f = files.find((x) => mailTo(readFileSync(join(info.mailbox, 'new', x), 'utf8')));
          return f && { file: f, at: statSync(join(info.mailbox, 'new', f)).mtimeMs };
        },
        60_000,
        'the e-mail to A in the mailbox',
      );
      console.info(
        `notifications on the main job: summary → live notification ${liveMs} ms (observed), → mailbox ${Math.round(mail.at - summaryAt)} ms`,
      );

      const gear = await waitFor(
        async () => {
          const g = await gateway<{ distanceM: number; sessions: number }>(
            b.token,
            'GET',
            `/inventory/v1/gear/${bike.id}`,
          );
          return g.sessions === 1 && g;
        },
        30_000,
        'the ride on B’s bike',
      );
      expect(gear.distanceM).toBeCloseTo(distanceM, 3);
    } finally {
      client.ws.close();
      await summarized.stop();
    }
  }, 300_000);

  it('writes the fleet’s samples to QuestDB through the sink', async () => {
    const ids = info.athletes.map((a) => `'${a}'`).join(',');
    let rows = 0;
    for (let i = 0; i < 60 && rows === 0; i++) {
      const r = await questdbExec(
        infra.QUESTDB_HTTP ?? '',
        `select count() from tracking_metrics where athlete_id in (${ids})`,
      );
      rows = Number(r.dataset[0]?.[0] ?? 0);
      if (rows === 0) await new Promise((r) => setTimeout(r, 500));
    }
    expect(rows).toBeGreaterThan(0);
  }, 60_000);

  it('replays a recorded FIT ride at the edge and emits one session whose totals match the file within 1 %', async () => {
    const file = 'Edge810-Vector-2013-08-16-15-35-10.fit';
    const athlete = `fit-${suffix}`;
    const pipelineEnv = { ...process.env, ...infra, DATA_DIR: dataDir, ...pipeline.observer.tracingEnv() };
    const cli = (pkg: string) => join(root, pkg, 'dist', 'cli.js');
    const { stdout: token } = await run(
      process.execPath,
      [cli('ingest'), 'token', '--edge', 'fit-edge', '--athlete', athlete],
      {
        env: pipelineEnv,
      },
    );
    const kafka = testKafka('pipeline-test');
    const startedTopic = await collect(kafka, kafkaTopics.trainingStarted.name);
    const completedTopic = await collect(kafka, kafkaTopics.trainingCompleted.name);
    const ofAthlete = <T>(c: Awaited<ReturnType<typeof collect>>) =>
      c.records.map((r) => r.value as T & { athleteId: string }).filter((v) => v.athleteId === athlete);
    try {
      await run(
        process.execPath,
        [
          cli('edge'),
          'replay',
          fitFixture(file).path,
          '--athlete',
          athlete,
          '--speed',
          '0',
          '--original-timestamps',
          '--mqtt-url',
          info.mqttUrl,
          '--edge-id',
          'fit-edge',
          '--token',
          token.trim(),
          '--data-dir',
          tempDir('fit-edge'),
          '--http-port',
          '0',
          '--log-level',
          'warn',
        ],
        { env: pipelineEnv, timeout: 120_000 },
      );
      await waitFor(() => ofAthlete(completedTopic).length > 0, 90_000, 'training.completed of the ride');
      const started = ofAthlete<TrainingStarted>(startedTopic);
      const completed = ofAthlete<TrainingCompleted>(completedTopic);
      expect(started).toHaveLength(1);
      expect(completed).toHaveLength(1);
      const summary = completed[0] as TrainingCompleted;
      const expected = rideTotals(readFitFile(file).records);
      const within1 = (actual: number | null, want: number) =>
        expect(Math.abs((actual ?? Number.NaN) - want) / want).toBeLessThan(0.01);
      within1(summary.avgPower, expected.avgPower);
      within1(summary.normalizedPower, expected.normalizedPower);
      within1(summary.kj, expected.kj);
      within1(summary.distanceM, expected.distanceM);
      expect(summary.sessionId).toBe(started[0]?.sessionId);

      // The session's end continues the trace of its last batch: stream → training (which
      // summarizes it through its outbox) → tracking, one trace across three services.
      const completedRecord = completedTopic.records.find(
        (r) => (r.value as { athleteId?: string } | null)?.athleteId === athlete,
      );
      const [, traceId, workerSpanId] = (completedRecord?.headers.traceparent ?? assert.fail('traceparent')).split('-');
      const spans = await waitFor(
        async () => {
          const t = await fetchTrace(pipeline.observer.zipkin.url, traceId as string);
          const summarized = t.filter((s) => s.name === `process ${kafkaTopics.sessionSummarized.name}`);
          return summarized.length > 0 ? t : undefined;
        },
        30_000,
        'training.completed → training → training.session.summarized in Zipkin',
      );
      const byId = new Map(spans.map((s) => [s.id, s]));
      const consumed = spans.filter(
        (s) => s.name === `process ${kafkaTopics.trainingCompleted.name}` && s.parentId === workerSpanId,
      );
      expect(consumed.map((s) => s.localEndpoint?.serviceName).sort()).toEqual(['tracking', 'training']);
      const trainingSpan = consumed.find((s) => s.localEndpoint?.serviceName === 'training');
      // tracking, social (the feed), notifications and inventory (gear) all consume the summary
      const summarized = await waitFor(
        async () => {
          const t = await fetchTrace(pipeline.observer.zipkin.url, traceId as string);
          const s = t.filter((x) => x.name === `process ${kafkaTopics.sessionSummarized.name}`);
          return s.length >= 4 ? s : undefined;
        },
        30_000,
        'training.session.summarized handled by its four consumers',
      );
      expect(summarized.map((x) => x.localEndpoint?.serviceName).sort()).toEqual([
        'inventory',
        'notifications',
        'social',
        'tracking',
      ]);
      for (const x of summarized) expect(byId.get(x.parentId ?? '')).toBe(trainingSpan);
      expect(byId.get(workerSpanId as string)?.name).toBe('stream apply');
    } finally {
      await startedTopic.stop();
      await completedTopic.stop();
    }
  }, 240_000);

  it('reports the edge as reconnecting, not down, while ingest is gone; up starts ingest again', async () => {
    await pipeline.supervisor.stop(); // this test does by hand what the supervisor does by itself
    const ingestPid = (await pipeline.status()).find((s) => s.name === 'ingest')?.pid;
    assert(ingestPid !== undefined);
    process.kill(ingestPid, 'SIGKILL');
    const down = await waitFor(
      async () => {
        const st = await pipeline.status();
        const edge = st.find((s) => s.name === 'edge-sim');
        return st.find((s) => s.name === 'ingest')?.state === 'stopped' && edge?.state === 'reconnecting'
          ? st
          : undefined;
      },
      20_000,
      'ingest stopped and the edge reconnecting',
    );
    // reconnecting is ready-but-degraded: the edge keeps every sample on disk meanwhile
    expect(down.find((s) => s.name === 'edge-sim')).toMatchObject({ ready: true, state: 'reconnecting' });
    await pipeline.up();
    await waitFor(async () => (await pipeline.status()).every((s) => s.state === 'ready'), 60_000, 'all ready again');
    expect(pipeline.supervisor.runningPid()).toBeDefined();
  }, 120_000);

  it('the supervisor up leaves behind restarts a service killed with -9 and counts it', async () => {
    const before = (await pipeline.status()).find((s) => s.name === 'ingest');
    assert(before?.pid !== undefined);
    process.kill(before.pid, 'SIGKILL');
    const after = await waitFor(
      async () => {
        const s = (await pipeline.status()).find((x) => x.name === 'ingest');
        // the count is written once the restarted ingest is ready
        return s?.pid !== undefined && s.pid !== before.pid && s.restarts > before.restarts ? s : undefined;
      },
      60_000,
      'ingest restarted by the supervisor',
    );
    expect(after).toMatchObject({ state: 'ready', restarts: before.restarts + 1 });
    expect(readFileSync(pipeline.supervisor.logFile, 'utf8')).toMatch(
      new RegExp(`ingest restarted \\(pid ${after.pid}\\)`),
    );
  }, 120_000);

  it('down stops exactly the services up started, the supervisor first, users last', async () => {
    const pids = (await pipeline.status()).map((s) => s.pid);
    expect(pids.every((p) => p !== undefined)).toBe(true);
    const supervisorPid = pipeline.supervisor.runningPid();
    expect(supervisorPid).toBeDefined();
    expect(await pipeline.down()).toEqual([
      'zipkin',
      'supervisor',
      // the reverse of up's waves, each wave in the order of the service table
      'edge-sim',
      'notifications',
      'gateway',
      'ingest',
      'sink',
      'stream-worker',
      'live',
      'training',
      'tracking',
      'social',
      'mail',
      'inventory',
      'web',
      'legacy',
      'users',
    ]);
    for (const p of [...pids, supervisorPid]) expect(isAlive(p as number)).toBe(false);
    expect((await pipeline.status()).every((s) => s.pid === undefined && !s.ready)).toBe(true);
  }, 120_000);
});
