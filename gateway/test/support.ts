import { writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { tempDir, testDatabase } from '@wattstream/infra/testing';
import { startService } from '@wattstream/kernel';
import { legacyService } from '@wattstream/legacy';
import { metricFromText } from '@wattstream/platform';
import { waitFor } from '@wattstream/testkit';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { defaultRouteTable, gatewayService, type RouteTable } from '../src/index.js';

export { api, PASSWORD, PROFILE, signUp, startUsers, type Users } from '../../services/users/test/support.js';

export type Gateway = Awaited<ReturnType<typeof startGateway>>;

/**
 * The gateway in-process on a free port, on the run's Kafka and Redis, in front of `upstreams`
 * (`{ users: url, … }` → `USERS_URL` …); ready (projections caught up) when it resolves.
 */
export async function startGateway(upstreams: Record<string, string>, env: Record<string, string> = {}) {
  const dataDir = tempDir('gateway');
  const upstreamEnv = Object.fromEntries(Object.entries(upstreams).map(([k, v]) => [`${k.toUpperCase()}_URL`, v]));
  const svc = await startService(gatewayService, {
    env: {
      ...process.env,
      LOG_LEVEL: 'silent',
      GATEWAY_PORT: '0',
      DATA_DIR: dataDir,
      ...(upstreams.users ? { AUTH_JWKS_URL: `${upstreams.users}/.well-known/jwks.json` } : {}),
      ...upstreamEnv,
      ...env,
    },
  });
  await waitFor(async () => (await fetch(`${svc.url}/readyz`)).status === 200, {
    what: 'gateway ready',
    timeoutMs: 60_000,
  });
  return Object.assign(svc, {
    dataDir,
    /** A metric's value, summed over the series that carry every label given. */
    async metric(name: string, labels: Record<string, string> = {}): Promise<number> {
      const text = await (await fetch(`${svc.url}/metrics`)).text();
      const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
      const lines = text.split('\n').filter((l) => !l.startsWith(`${name}{`) || wanted.every((w) => l.includes(w)));
      return metricFromText(lines.join('\n'), name);
    },
  });
}

/** A routes file for GATEWAY_ROUTES_FILE; `write` replaces its content (the gateway reloads it). */
export function routesFile(table: RouteTable = defaultRouteTable) {
  const file = join(tempDir('routes'), 'routes.json');
  const write = (t: RouteTable | string) => writeFileSync(file, typeof t === 'string' ? t : JSON.stringify(t, null, 2));
  write(table);
  return { file, write };
}

/** A request with its path sent exactly as given (fetch would normalise `..`). */
export function rawRequest(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: u.hostname, port: u.port, method, path, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

export interface Seen {
  method: string;
  url: string;
  headers: FastifyRequest['headers'];
  body: string;
}

/**
 * A small real upstream (fastify on a free port) standing in for a service that does not exist
 * yet: it answers every request with what it received, so a test sees what the gateway sent.
 */
export async function echoUpstream(
  configure?: (app: FastifyInstance, seen: Seen[]) => void,
): Promise<{ url: string; seen: Seen[]; app: FastifyInstance }> {
  const app = Fastify();
  const seen: Seen[] = [];
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  configure?.(app, seen);
  app.setNotFoundHandler(async (req, reply) => {
    const s = { method: req.method, url: req.url, headers: req.headers, body: (req.body as string) ?? '' };
    seen.push(s);
    return reply
      .header('server', 'echo/1.0')
      .header('x-powered-by', 'echo')
      .header('access-control-allow-origin', '*')
      .send(s);
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  return { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, seen, app };
}

/** The built-in table with `overrides` applied to routes by id, and extra routes in front. */
export function tableWith(
  overrides: Record<string, Partial<RouteTable['routes'][number]>>,
  extra: RouteTable['routes'] = [],
  base: RouteTable = defaultRouteTable,
): RouteTable {
  return {
    ...base,
    routes: [...extra, ...base.routes.map((r) => ({ ...r, ...overrides[r.id] }))],
  };
}

/** The legacy monolith in-process on `port`, trusting the gateway whose JWKS is at `gatewayUrl`. */
export async function startLegacy(o: { port: number; usersUrl: string; gatewayUrl?: string }) {
  const db = await testDatabase('legacy');
  const svc = await startService(legacyService, {
    env: {
      ...process.env,
      LOG_LEVEL: 'silent',
      LEGACY_PORT: String(o.port),
      DATABASE_URL: db.url,
      AUTH_JWKS_URL: `${o.usersUrl}/.well-known/jwks.json`,
      ...(o.gatewayUrl ? { AUTH_GATEWAY_JWKS_URL: `${o.gatewayUrl}/.well-known/gateway-jwks.json` } : {}),
    },
  });
  return Object.assign(svc, {
    async destroy() {
      await svc.stop();
      await db.drop();
    },
  });
}
