import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Logger } from './logger.js';

export type ReadinessCheck = () => boolean | string | Promise<boolean | string>;
export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface OpsServer {
  readonly server: Server;
  readonly port: number;
  /** Adds a readiness check; `/readyz` is 200 only when every check returns true. */
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
      for (const [name, check] of checks) {
        let r: boolean | string;
        try {
          r = await check();
        } catch (err) {
          r = (err as Error).message;
        }
        results[name] = r === true ? 'ok' : r === false ? 'not ready' : r;
        if (r !== true) ready = false;
      }
      res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' });
      res.end(`${JSON.stringify({ status: ready ? 'ready' : 'not ready', checks: results })}\n`);
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
