import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultRouteTable } from '@wattstream/gateway';
import { dropServiceDatabase, ensureServiceDatabase, freePort } from '@wattstream/infra';
import type { Benchmark } from '../benchmark.js';
import { Child, distFile } from '../child.js';
import type { BenchContext } from '../context.js';
import type { HttpLoadConfig, HttpLoadMsg } from '../load/http-load.js';
import { ensureNginx, startNginx } from '../nginx.js';
import { procCpuSeconds } from '../proc.js';
import { scratch, startService } from '../services.js';
import { round, type Series } from '../stats.js';

const CONNECTIONS = 32;
const PATH = '/tracking/v1/sessions?limit=2';

type Done = Extract<HttpLoadMsg, { type: 'done' }>;
interface Phase {
  done: Done;
  series: Series;
  /** CPU cores the proxy used over the phase (gateway only). */
  cpuCores: number;
}

async function load(
  ctx: BenchContext,
  label: string,
  cfg: Omit<HttpLoadConfig, 'warmupMs' | 'connections'>,
  pid?: () => number | undefined,
): Promise<Phase> {
  const child = new Child<HttpLoadMsg>(`http load (${label})`, distFile('load/http-load.js'), { pin: ctx.pin('load') });
  ctx.onCleanup(() => void child.proc.kill());
  const series: Series = { name: label, unit: 'req/s', points: [] };
  let last = 0;
  child.onMessage((m) => {
    if (m.type === 'tick') {
      series.points.push([Math.round(m.at / 100) / 10, m.answers - last]);
      last = m.answers;
    }
  });
  const cpu0 = procCpuSeconds(pid?.());
  const t0 = performance.now();
  child.send({ type: 'config', config: { ...cfg, connections: CONNECTIONS, warmupMs: ctx.warmupMs } });
  const done = await child.next('done', ctx.warmupMs + cfg.durationMs + 60_000);
  const cpuCores = pid ? (procCpuSeconds(pid()) - cpu0) / ((performance.now() - t0) / 1000) : 0;
  if (done.failures > 0) throw new Error(`${label}: ${done.failures} requests failed (first: ${done.firstFailure})`);
  const rps = done.answers / done.seconds;
  ctx.log(`${label}: ${Math.round(rps)} req/s, p50 ${done.latency.p50} ms, p99 ${done.latency.p99} ms`);
  return { done, series, cpuCores: round(cpuCores, 2) };
}

/** A user and an access token from the users service (the token the gateway verifies). */
async function accessToken(usersUrl: string): Promise<string> {
  const email = `bench-${Date.now().toString(36)}@example.com`;
  const password = 'bench password 42';
  const post = (path: string, body: unknown) =>
    fetch(`${usersUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const reg = await post('/v1/auth/register', { email, password, displayName: 'Bench' });
  if (reg.status !== 201) throw new Error(`register: ${reg.status} ${await reg.text()}`);
  const login = await post('/v1/auth/login', { email, password });
  if (login.status !== 200) throw new Error(`login: ${login.status} ${await login.text()}`);
  return ((await login.json()) as { accessToken: string }).accessToken;
}

/**
 * The gateway's price: the same authenticated GET sent straight to a bare HTTP service, through
 * Debian's nginx as a plain reverse proxy, and through the gateway with everything on (JWT
 * verification, per-IP/per-user/per-route budgets in Redis, the signed identity header, header
 * rules). Saturation (closed loop, 32 connections) gives requests/s; then all take the same fixed
 * open-loop rate for latency from the intended send time, so "added" latency is a difference of
 * two runs at the same load.
 */
export const gateway: Benchmark = {
  name: 'gateway',
  description:
    `GET ${PATH} with a bearer token: straight to a bare Node HTTP service, through Debian nginx (plain proxy_pass, ` +
    'keep-alive, 1 worker), and through the gateway (users JWT verified against the JWKS, 3 rate-limit budgets in ' +
    'Redis, signed identity header) — with its verified-token cache (default) and with every signature checked. ' +
    `Saturation with ${CONNECTIONS} keep-alive connections → requests/s; then the same open-loop rate for all → ` +
    'latency from the intended send time.',
  async run(ctx) {
    const { env, dir } = await ctx.infra();
    const work = scratch(dir, 'gateway');
    const phaseMs = Math.max(1000, ctx.durationMs / 8);
    const nginxBin = ensureNginx((m) => ctx.log(m));

    const backendPort = await freePort();
    const backend = new Child<{ type: 'ready' } | { type: 'error'; message: string }>(
      'backend',
      distFile('load/http-backend.js'),
    );
    ctx.onCleanup(() => void backend.proc.kill());
    backend.send({ type: 'config', config: { port: backendPort } });
    await backend.next('ready', 30_000);
    const backendUrl = `http://127.0.0.1:${backendPort}`;

    const dbName = `users_bench_${process.pid}`;
    const dbUrl = await ensureServiceDatabase(env.POSTGRES_URL!, dbName);
    ctx.onCleanup(() => dropServiceDatabase(env.POSTGRES_URL!, dbName));
    const usersPort = await freePort();
    const users = await startService(ctx, {
      name: 'users',
      pkg: 'services/users',
      args: ['serve'],
      portEnv: 'USERS_PORT',
      env: { KAFKA_BROKERS: env.KAFKA_BROKERS!, DATABASE_URL: dbUrl, DATA_DIR: work, USERS_PORT: String(usersPort) },
      logDir: work,
    });
    const usersUrl = `http://127.0.0.1:${users.spec.healthPort}`;
    const token = await accessToken(usersUrl);
    const headers = { authorization: `Bearer ${token}` };

    // The built-in table, with budgets no benchmark client exhausts: limits are checked, not hit.
    const routesFile = join(work, 'routes.json');
    const table = structuredClone(defaultRouteTable);
    table.rateLimits.default = {
      user: { max: 10_000_000, window: '1m' },
      ip: { max: 10_000_000, window: '1m' },
      route: { max: 10_000_000, window: '1m' },
    };
    writeFileSync(routesFile, JSON.stringify(table));
    const gatewayEnv = (cacheTtl: string) => ({
      KAFKA_BROKERS: env.KAFKA_BROKERS!,
      REDIS_URL: env.REDIS_URL!,
      DATA_DIR: work,
      USERS_URL: usersUrl,
      AUTH_JWKS_URL: `${usersUrl}/.well-known/jwks.json`,
      TRACKING_URL: backendUrl,
      GATEWAY_ROUTES_FILE: routesFile,
      GATEWAY_TOKEN_CACHE_TTL: cacheTtl,
    });
    const startGateway = (name: string, cacheTtl: string) =>
      startService(ctx, {
        name,
        pkg: 'gateway',
        args: ['serve'],
        portEnv: 'GATEWAY_PORT',
        env: gatewayEnv(cacheTtl),
        logDir: work,
      });
    const gw = await startGateway('gateway', '30s');
    const gwVerify = await startGateway('gateway-verify-each', '0');
    const nginxPort = await freePort();
    const nginx = await startNginx({
      bin: nginxBin,
      dir: scratch(work, 'nginx'),
      port: nginxPort,
      upstream: backendUrl,
      pin: ctx.pin('sut'),
    });
    ctx.onCleanup(() => nginx.stop());

    const targets = [
      { key: 'direct', label: 'direct', url: `${backendUrl}${PATH.replace('/tracking', '')}`, pid: undefined },
      {
        key: 'nginx',
        label: 'nginx',
        url: `http://127.0.0.1:${nginxPort}${PATH.replace('/tracking', '')}`,
        pid: undefined,
      },
      { key: 'gateway', label: 'gateway', url: `http://127.0.0.1:${gw.spec.healthPort}${PATH}`, pid: () => gw.pid },
      {
        key: 'gatewayVerifyEach',
        label: 'gateway, no token cache',
        url: `http://127.0.0.1:${gwVerify.spec.healthPort}${PATH}`,
        pid: () => gwVerify.pid,
      },
    ] as const;
    const sat: Record<string, Phase> = {};
    for (const t of targets) {
      sat[t.key] = await load(
        ctx,
        `${t.label} saturated`,
        { url: t.url, headers, mode: 'closed', rate: 0, durationMs: phaseMs },
        t.pid,
      );
    }
    const rps = (k: string) => sat[k]!.done.answers / sat[k]!.done.seconds;
    const rate = Math.round(ctx.opts.rate ?? Math.max(100, 0.5 * Math.min(...targets.map((t) => rps(t.key)))));
    const lat: Record<string, Phase> = {};
    for (const t of targets) {
      lat[t.key] = await load(
        ctx,
        `${t.label} at ${rate} req/s`,
        { url: t.url, headers, mode: 'open', rate, durationMs: phaseMs },
        t.pid,
      );
    }
    const l = (k: string) => lat[k]!.done.latency;

    const figures: Record<string, number> = {};
    for (const t of targets) figures[`${t.key}ReqPerSec`] = Math.round(rps(t.key));
    figures.latencyRateReqPerSec = rate;
    for (const t of targets) {
      figures[`${t.key}P50Ms`] = round(l(t.key).p50, 3);
      figures[`${t.key}P99Ms`] = round(l(t.key).p99, 3);
    }
    for (const t of targets.slice(1)) {
      figures[`${t.key}AddedP50Ms`] = round(l(t.key).p50 - l('direct').p50, 3);
      figures[`${t.key}AddedP99Ms`] = round(l(t.key).p99 - l('direct').p99, 3);
    }
    figures.gatewayCpuCoresSaturated = sat.gateway!.cpuCores;
    figures.gatewayVerifyEachCpuCoresSaturated = sat.gatewayVerifyEach!.cpuCores;
    return {
      figures,
      ratios: {
        gatewayToNginxReqPerSec: round(rps('gateway') / rps('nginx'), 3),
        gatewayVerifyEachToNginxReqPerSec: round(rps('gatewayVerifyEach') / rps('nginx'), 3),
        gatewayToDirectReqPerSec: round(rps('gateway') / rps('direct'), 3),
      },
      targets: [
        {
          name: 'gateway ≥ 0.5 × nginx requests/s, auth on (issue 15)',
          figure: 'gatewayToNginxReqPerSec',
          op: '>=',
          threshold: 0.5,
        },
        { name: 'gateway adds ≤ 1 ms at p50 (issue 15)', figure: 'gatewayAddedP50Ms', op: '<=', threshold: 1 },
      ],
      charts: [
        {
          kind: 'line',
          title: `Saturation: answered requests/s (${CONNECTIONS} keep-alive connections, one after the other)`,
          xLabel: 's since phase start',
          yLabel: 'req/s',
          series: targets.map((t) => sat[t.key]!.series),
        },
        {
          kind: 'percentile',
          title: `Latency at ${rate} req/s (from intended send time)`,
          yLabel: 'ms',
          curves: targets.map((t) => ({ name: t.label, points: lat[t.key]!.done.curve })),
        },
      ],
      notes: [
        'The gateway and nginx are pinned to core 0, the load generator to core 1; the bare backend, Redis, Postgres ' +
          'and Kafka float. On a 2-core machine the backend competes with whichever proxy is measured.',
        'nginx only forwards; the gateway also verifies the token (or finds it in its 30 s verified-token cache), ' +
          'spends three Redis-backed budgets, signs an identity header per request and rewrites headers. ' +
          '"no token cache" checks the EdDSA signature on every request.',
      ],
    };
  },
};
