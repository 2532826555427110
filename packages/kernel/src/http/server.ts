import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Counter, Histogram, type Logger, type Registry } from '@wattstream/platform';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController, type RawServerDefault } from 'fastify';
import { KernelErrorCode } from '../errors.js';
import type { Readiness } from '../health.js';
import { PROBLEM_CONTENT_TYPE, problem, toProblem } from './problem.js';
import { traceRequests } from './tracing.js';

/** The fastify instance every service gets, typed by its TypeBox schemas. */
export type HttpServer = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export interface HttpOptions {
  service: string;
  version: string;
  description: string;
  logger: Logger;
  registry: Registry;
  readiness: Readiness;
  /** Largest request body, bytes (a route may set its own `bodyLimit`). */
  bodyLimit: number;
  trustProxy: boolean;
}

/** An incoming `x-request-id` is kept when it looks like one, so ids follow a request across hops. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** Buckets for request durations, seconds: 1 ms to 10 s. */
const HTTP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const OPS_PATHS = new Set(['/metrics', '/healthz', '/readyz']);

/**
 * The service's HTTP server: fastify 5 with the TypeBox type provider, request ids, RED metrics
 * per route, RFC 9457 problem+json errors, OpenAPI 3.1 from the route schemas, and the operations
 * endpoints `/metrics`, `/healthz` and `/readyz`. Unknown body fields are refused, not stripped
 * (`removeAdditional: false`), so a schema with `additionalProperties: false` stops mass assignment.
 */
export async function createHttpServer(opts: HttpOptions): Promise<HttpServer> {
  const app = Fastify({
    loggerInstance: opts.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: opts.bodyLimit,
    trustProxy: opts.trustProxy,
    requestTimeout: 30_000,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  const r = { registers: [opts.registry] };
  const requests = new Counter({
    name: 'wattstream_http_requests_total',
    help: 'HTTP requests answered, by route template, method and status',
    labelNames: ['method', 'route', 'status'] as const,
    ...r,
  });
  const duration = new Histogram({
    name: 'wattstream_http_request_duration_seconds',
    help: 'time from request to response, by route template, method and status class',
    labelNames: ['method', 'route', 'status_class'] as const,
    buckets: HTTP_BUCKETS,
    ...r,
  });

  traceRequests(app, OPS_PATHS);
  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    if (OPS_PATHS.has(route)) return;
    const status = reply.statusCode;
    requests.inc({ method: req.method, route, status: String(status) });
    duration.observe(
      { method: req.method, route, status_class: `${Math.floor(status / 100)}xx` },
      reply.elapsedTime / 1000,
    );
    if (status >= 500)
      req.log.warn({ method: req.method, url: req.url, status, ms: reply.elapsedTime }, 'request failed');
    else req.log.debug({ method: req.method, url: req.url, status, ms: reply.elapsedTime }, 'request');
  });

  app.setErrorHandler((err, req, reply) => {
    const p = toProblem(err);
    p.instance = req.url;
    p.requestId = req.id;
    if (p.status >= 500) req.log.error({ err, code: p.code, url: req.url }, 'request error');
    else req.log.debug({ code: p.code, detail: p.detail, url: req.url }, 'request refused');
    const retryAfter = (err as { details?: { retryAfterS?: unknown } }).details?.retryAfterS;
    if (typeof retryAfter === 'number') reply.header('retry-after', String(retryAfter));
    else if (p.status === 503) reply.header('retry-after', '1');

    return reply.status(p.status).type(PROBLEM_CONTENT_TYPE).send(p);
  });
  app.setNotFoundHandler((req, reply) => {
    const p = problem(404, KernelErrorCode.HttpNotFound, `no route for ${req.method} ${req.url.split('?')[0]}`, {
      instance: req.url,
      requestId: req.id,
    });
    return reply.status(404).type(PROBLEM_CONTENT_TYPE).send(p);
  });

  await app.register(swagger, {
    // Components named after the contract schema ($id `wattstream/users/Profile` → `Profile`).
    refResolver: {
      buildLocalReference: (json, _base, _fragment, i) =>
        typeof json.$id === 'string' ? (json.$id.split('/').pop() ?? `def-${i}`) : `def-${i}`,
    },
    openapi: {
      openapi: '3.1.0',
      info: { title: `wattstream ${opts.service}`, version: opts.version, description: opts.description },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
    },
  });

  const hidden = { schema: { hide: true } };
  app.get('/metrics', hidden, async (_req, reply) => {
    reply.type(opts.registry.contentType);
    return opts.registry.metrics();
  });
  app.get('/healthz', hidden, async () => ({ status: 'ok' }));
  app.get('/readyz', hidden, async (_req, reply) => {
    const report = await opts.readiness.report();
    return reply.status(report.status === 'ready' ? 200 : 503).send(report);
  });
  return app;
}
