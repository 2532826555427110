import { randomBytes } from 'node:crypto';
import { Sender } from '@questdb/nodejs-client';
import { TRACKING_METRICS_DDL, TRACKING_METRICS_TABLE } from '@wattstream/contracts';
import { testDatabase } from '@wattstream/infra/testing';
import { startService } from '@wattstream/kernel';
import { questdbExec, waitForWalApplied } from '@wattstream/platform';
import { History, trackingService } from '@wattstream/tracking';
import { usersService } from '@wattstream/users';
import type { Benchmark } from '../benchmark.js';
import { LatencyRecorder, round } from '../stats.js';

const HOURS = 4;
const HZ = 4;
const POINTS = 2000;

/**
 * The tracking service's history API on a 4-hour ride at 4 Hz (57,600 trainer rows + 14,400
 * heart-rate rows in `tracking_metrics`): `GET /v1/sessions/{id}/samples?points=2000` (server-side
 * SAMPLE BY, ≤ 2,000 buckets) and `GET …/export.fit` (one record per second), each against the
 * bare QuestDB SQL of the same rows over `/exec`, alternating, one request at a time, in one run.
 */
export const history: Benchmark = {
  name: 'history',
  description:
    `tracking history of a ${HOURS} h ride at ${HZ} Hz: samples downsampled to ${POINTS} points and FIT export, ` +
    'through the service (auth, session lookup, SQL, JSON or FIT encoding) vs the bare QuestDB /exec query of the same rows.',
  async run(ctx) {
    const { env, dir } = await ctx.infra();
    const qdb = env.QUESTDB_HTTP!;
    const athlete = `bench-${randomBytes(4).toString('hex')}`;
    const t0 = Date.UTC(2025, 5, 1, 6) + Math.floor(Math.random() * 1000) * 86_400_000;

    const usersDb = await testDatabase('users', env.POSTGRES_URL);
    const trackingDb = await testDatabase('tracking', env.POSTGRES_URL);
    ctx.onCleanup(() => usersDb.drop());
    ctx.onCleanup(() => trackingDb.drop());
    const base = {
      ...process.env,
      ...env,
      LOG_LEVEL: process.env.BENCH_SERVICE_LOG_LEVEL ?? 'silent',
      OUTBOX_POLL: '1s',
    };
    const users = await startService(usersService, {
      env: { ...base, USERS_PORT: '0', DATABASE_URL: usersDb.url, DATA_DIR: dir },
    });
    ctx.onCleanup(() => users.stop());
    const tracking = await startService(trackingService, {
      env: {
        ...base,
        TRACKING_PORT: '0',
        DATABASE_URL: trackingDb.url,
        AUTH_JWKS_URL: `${users.url}/.well-known/jwks.json`,
        TRACKING_CONSUMER_GROUP: `bench-${athlete}`,
      },
    });
    ctx.onCleanup(() => tracking.stop());
    const token = await tokenFor(users.url, athlete);
    const me = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).sub as string;
    // the rows are the user's (an athlete id is a user id)
    const end = await writeRide(qdb, me, t0);
    const sessionId = `${me}:${t0}`;
    await tracking.ctx.db.query('INSERT INTO sessions (id, athlete_id, started_at, ended_at) VALUES ($1, $2, $3, $4)', [
      sessionId,
      me,
      t0,
      end,
    ]);

    const h = new History(qdb, 60_000);
    const from = t0;
    const to = end + 1;
    const resolutionMs = Math.ceil((to - from) / POINTS);
    const headers = { authorization: `Bearer ${token}` };
    const url = (p: string) => `${tracking.url}/v1/sessions/${encodeURIComponent(sessionId)}${p}`;
    const api = new LatencyRecorder();
    const bare = new LatencyRecorder();
    const exp = new LatencyRecorder();
    const bareExp = new LatencyRecorder();
    let points = 0;
    let fitBytes = 0;
    const time = async (rec: LatencyRecorder | undefined, fn: () => Promise<void>) => {
      const s = performance.now();
      await fn();
      rec?.recordMs(performance.now() - s);
    };
    const warmEnd = performance.now() + ctx.warmupMs;
    const stop = warmEnd + ctx.durationMs;
    const minRounds = ctx.smoke ? 3 : 20;
    for (let i = 0; performance.now() < stop || api.count < minRounds; i++) {
      const measuring = performance.now() >= warmEnd;
      await time(measuring ? api : undefined, async () => {
        const r = await fetch(url(`/samples?points=${POINTS}`), { headers });
        const body = (await r.json()) as { t: number[] };
        if (r.status !== 200) throw new Error(`samples: ${r.status}`);
        points = body.t.length;
      });
      await time(measuring ? bare : undefined, async () => {
        await h.series(me, null, from, to, resolutionMs);
      });
      if (i % 2 === 0) {
        await time(measuring ? exp : undefined, async () => {
          const r = await fetch(url('/export.fit'), { headers });
          fitBytes = (await r.arrayBuffer()).byteLength;
          if (r.status !== 200) throw new Error(`export: ${r.status}`);
        });
        await time(measuring ? bareExp : undefined, async () => {
          await h.seconds(me, from, to);
        });
      }
    }
    const a = api.summary();
    const b = bare.summary();
    const e = exp.summary();
    const be = bareExp.summary();
    return {
      figures: {
        rowsInRide: HOURS * 3600 * HZ + HOURS * 3600,
        points,
        historyP50Ms: round(a.p50, 2),
        historyP99Ms: round(a.p99, 2),
        bareQueryP50Ms: round(b.p50, 2),
        bareQueryP99Ms: round(b.p99, 2),
        exportFitP50Ms: round(e.p50, 1),
        exportFitP99Ms: round(e.p99, 1),
        bareExportQueryP50Ms: round(be.p50, 1),
        fitKb: round(fitBytes / 1024, 1),
        requests: a.count + e.count,
      },
      ratios: {
        historyP50VsBare: round(a.p50 / b.p50, 2),
        exportP50VsBareQuery: round(e.p50 / be.p50, 2),
      },
      targets: [{ name: 'a 4-hour ride in at most 2,000 points', figure: 'points', op: '<=', threshold: POINTS }],
      charts: [
        {
          kind: 'percentile',
          title: `history of a ${HOURS} h ride at ${HZ} Hz, ${POINTS} points`,
          yLabel: 'ms',
          curves: [
            { name: 'tracking API', points: api.curve() },
            { name: 'bare QuestDB SQL', points: bare.curve() },
            { name: 'FIT export', points: exp.curve() },
            { name: 'bare export SQL', points: bareExp.curve() },
          ],
        },
      ],
      notes: [
        'One request at a time from the harness; the service runs in the harness process (in-process kernel service), ' +
          'QuestDB and Postgres float over both cores.',
      ],
    };
  },
};

/** The ride in tracking_metrics: a trainer at 4 Hz and a heart-rate strap at 1 Hz. Returns its last ts. */
async function writeRide(qdb: string, athlete: string, t0: number): Promise<number> {
  await questdbExec(qdb, TRACKING_METRICS_DDL);
  const sender = await Sender.fromConfig(`http::addr=${new URL(qdb).host};auto_flush=off;request_timeout=60000`);
  let last = t0;
  let distance = 0;
  try {
    for (let i = 0; i < HOURS * 3600 * HZ; i++) {
      const ts = t0 + (i * 1000) / HZ;
      const speed = 8 + (i % 17) / 10;
      distance += speed / HZ;
      sender
        .table(TRACKING_METRICS_TABLE)
        .symbol('athlete_id', athlete)
        .symbol('device_id', 'trainer')
        .intColumn('power', 150 + ((i * 31) % 200))
        .floatColumn('cadence', 85 + (i % 9))
        .floatColumn('speed', speed)
        .floatColumn('distance', distance);
      await sender.at(ts, 'ms');
      if (i % HZ === 0) {
        sender.table(TRACKING_METRICS_TABLE).symbol('athlete_id', athlete).symbol('device_id', 'strap');
        sender.intColumn('hr', 120 + (Math.floor(i / 40) % 50));
        await sender.at(ts + 100, 'ms');
      }
      if (i % 10_000 === 9_999) await sender.flush();
      last = ts + 100;
    }
    await sender.flush();
  } finally {
    await sender.close();
  }
  await waitForWalApplied(qdb, TRACKING_METRICS_TABLE, 300_000);
  return last;
}

async function tokenFor(usersUrl: string, name: string): Promise<string> {
  const email = `${name}@bench.example`;
  const password = 'benchmark password 1';
  const post = (path: string, body: unknown) =>
    fetch(`${usersUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const reg = await post('/v1/auth/register', { email, password, displayName: 'Bench' });
  if (reg.status !== 201) throw new Error(`register: ${reg.status} ${await reg.text()}`);
  const login = await post('/v1/auth/login', { email, password });
  return ((await login.json()) as { accessToken: string }).accessToken;
}
