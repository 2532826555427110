import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from './logger.js';

/**
 * true: ready; a string: not ready, and why; `{ degraded }`: ready, but short of normal (e.g. an
 * edge reconnecting to its broker while its queue keeps every sample on disk).
 */
export type ReadinessResult = boolean | string | { degraded: string };
export type ReadinessCheck = () => ReadinessResult | Promise<ReadinessResult>;
export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface OpsServer {
  readonly server: Server;
  readonly port: number;
  /**
   * Adds a readiness check; `/readyz` is 200 when every check returns true or `{ degraded }`
   * (status `degraded` if any is), 503 otherwise.
   */
  addReadinessCheck(name: string, check: ReadinessCheck): void;
  /** Adds a route (exact path match, any method). */
  route(path: string, handler: RouteHandler): void;
  close(): Promise<void>;
}

/**
 * The operations endpoint of a service: `/metrics` (Prometheus), `/healthz` (the process is
 * alive and its loop turns), `/readyz` (dependencies reachable, intake running).
 */
export async function startOpsServer(opts: {
  port: number;
  /** the BIND_HOST setting (sharedConfig.bindHost) */
  host: string;
  registry: Registry;
  logger: Logger;
}): Promise<OpsServer> {
  const checks = new Map<string, ReadinessCheck>();
  const routes = new Map<string, RouteHandler>();
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    handle(path, req, res).catch((err: unknown) => {
      opts.logger.error({ err, path }, 'ops endpoint failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error\n');
    });
  });
  async function handle(path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (path === '/metrics') {
      const body = await opts.registry.metrics();
      res.writeHead(200, { 'content-type': opts.registry.contentType });
      res.end(body);
    } else if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"status":"ok"}\n');
    } else if (path === '/readyz') {
      const results: Record<string, string> = {};
      let ready = true;
      let degraded = false;
      for (const [name, check] of checks) {
        let r: ReadinessResult;
        try {
          r = await check();
        } catch (err) {
          r = (err as Error).message;
        }
        if (typeof r === 'object') {
          degraded = true;
          results[name] = r.degraded;
        } else {
          results[name] = r === true ? 'ok' : r === false ? 'not ready' : r;
          if (r !== true) ready = false;
        }
      }
      const status = !ready ? 'not ready' : degraded ? 'degraded' : 'ready';
      res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' });
      res.end(`${JSON.stringify({ status, checks: results })}\n`);
    } else {
      const handler = routes.get(path);
      if (handler) return handler(req, res);
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found\n');
    }
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    addReadinessCheck: (name, check) => void checks.set(name, check),
    route: (path, handler) => void routes.set(path, handler),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
