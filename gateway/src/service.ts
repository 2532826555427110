import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import httpProxy, { type FastifyHttpProxyOptions } from '@fastify/http-proxy';
import replyFrom from '@fastify/reply-from';
import { kafkaTopics } from '@wattstream/contracts';
import { Authenticator, defineService, type Identity, KernelErrorCode, kernelError } from '@wattstream/kernel';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Agent } from 'undici';
import { authorize, pathSegments } from './access.js';
import { IdentitySigner } from './auth/identity.js';
import { UserTokens } from './auth/user-tokens.js';
import { gatewayConfig, gatewayPort } from './config.js';
import { gatewayMetrics } from './metrics.js';
import { openApiRoutes } from './openapi/routes.js';
import { CoachLinks } from './projections/coach-links.js';
import { DeletedAccounts } from './projections/deleted-accounts.js';
import { registerBodyReader, tooLarge } from './proxy/body.js';
import { dispatch } from './proxy/dispatch.js';
import { upstreamRequestHeaders } from './proxy/headers.js';
import { ShadowComparator } from './proxy/shadow.js';
import { Limiter } from './rate-limit/limiter.js';
import { SharedBudgetStore } from './rate-limit/store.js';
import { isServiceOpsPath, rewritePath } from './route-table/compile.js';
import { RouteTableSource } from './route-table/source.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A route whose requests go through the route table (the catch-all and WebSocket mounts). */
    gateway?: boolean;
  }
}

const PROXIED = { gateway: true };
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
/** How long start waits for the projections before the gateway listens anyway (then not ready). */
const PROJECTION_START_MS = 20_000;

const bearerOf = (req: FastifyRequest, websocket: boolean): string => {
  // Browsers cannot set headers on a WebSocket upgrade: there, the token may come as ?access_token=.
  if (websocket && !req.headers.authorization) {
    const token = new URL(req.url, 'http://gateway').searchParams.get('access_token');
    if (token) return token;
  }
  return Authenticator.bearer(req);
};

/**
 * The API gateway: one front door for every service. Each request is matched against the route
 * table (hot-reloaded from GATEWAY_ROUTES_FILE), rate-limited per IP, authenticated (users' JWTs
 * against their JWKS, deleted accounts refused), authorized (roles per route, owner/coach on
 * athlete paths), rate-limited per user and route, and proxied with a signed identity header —
 * to the new service, the legacy system, or both (shadow). It serves the merged OpenAPI document
 * and its reference page, and proxies the live WebSocket.
 */
export const gatewayService = defineService({
  name: 'gateway',
  description: 'one front door: JWT auth, RBAC/ABAC, rate limits, transforms, strangler routing, merged OpenAPI',
  port: gatewayPort,
  config: gatewayConfig,
  kafka: true,
  async start(ctx) {
    const c = ctx.config;
    const app = ctx.http;
    const serviceUrls: Record<string, string> = {
      users: c.usersUrl,
      training: c.trainingUrl,
      tracking: c.trackingUrl,
      social: c.socialUrl,
      notifications: c.notificationsUrl,
      inventory: c.inventoryUrl,
      integrations: c.integrationsUrl,
      analytics: c.analyticsUrl,
      legacy: c.legacyUrl,
      live: c.liveUrl,
      web: c.webUrl,
    };
    const routes = new RouteTableSource({
      file: c.routesFile,
      pollMs: c.routesPoll,
      serviceUrls,
      logger: ctx.logger,
      registry: ctx.registry,
    });
    routes.watch();
    ctx.onShutdown('close', 'route table watch', () => routes.stop());

    const signer = await IdentitySigner.load({
      configured: c.identityKey,
      dataDir: c.dataDir,
      ttlMs: c.identityTtl,
      logger: ctx.logger,
    });
    const deleted = new DeletedAccounts(ctx.kafka.client, ctx.logger, c.denylistRetention);
    const coachLinks = new CoachLinks(ctx.kafka.client, ctx.logger);
    // Not produced here: declared so that, where the gateway may create topics, a gateway
    // started before the users service still finds the topics it reads.
    ctx.produces(kafkaTopics.accountDeleted, kafkaTopics.coachLinkUpdated);
    for (const [name, p] of [
      ['deleted-accounts', deleted.projection],
      ['coach-links', coachLinks.projection],
    ] as const) {
      ctx.readiness.add(name, p.readiness);
      ctx.onShutdown('close', name, () => p.stop());
    }
    // Projections follow Kafka only in a serving process (not for `gateway openapi` and the like).
    app.addHook('onListen', async () => {
      await Promise.all([
        deleted.projection.start(PROJECTION_START_MS),
        coachLinks.projection.start(PROJECTION_START_MS),
      ]);
    });
    const tokens = new UserTokens(ctx.auth, deleted, c.tokenCacheTtl);

    const limiter = new Limiter(ctx.registry);
    if (c.rateLimit) {
      const store = new SharedBudgetStore({
        redisUrl: c.redisUrl,
        timeoutMs: c.redisTimeout,
        logger: ctx.logger,
        registry: ctx.registry,
      });
      ctx.onShutdown('close', 'redis', () => store.close());
      await limiter.register(app, store);
    }

    await app.register(helmet, {
      // The API answers JSON; only the reference page (/docs) loads scripts and styles, its own.
      contentSecurityPolicy: {
        directives: { defaultSrc: ["'self'"], imgSrc: ["'self'", 'data:'], frameAncestors: ["'none'"] },
      },
      strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
      referrerPolicy: { policy: 'no-referrer' },
    });
    const origins = new Set(c.corsOrigins);
    await app.register(cors, {
      origin: (origin, cb) => cb(null, origin !== undefined && origins.has(origin)),
      credentials: true,
      methods: METHODS,
      allowedHeaders: ['authorization', 'content-type', 'if-match', 'idempotency-key', 'x-request-id', 'traceparent'],
      exposedHeaders: [
        'etag',
        'location',
        'retry-after',
        'ratelimit-limit',
        'ratelimit-remaining',
        'ratelimit-reset',
        'x-request-id',
      ],
      maxAge: 600,
    });

    app.get('/.well-known/gateway-jwks.json', { schema: { hide: true } }, async (_req, reply) =>
      reply.header('cache-control', 'public, max-age=300').send(signer.jwks()),
    );
    await openApiRoutes(app, c.openapiDir, '1.0.0');

    const metrics = gatewayMetrics(ctx.registry);
    registerBodyReader(app, { maxJsonDepth: c.maxJsonDepth, timeoutMs: c.bodyTimeout });
    app.server.headersTimeout = c.headersTimeout;

    app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
      if (req.routeOptions.config.gateway !== true) return;
      const match = routes.current.match(req.method, pathSegments(req.url));
      if (!match || isServiceOpsPath(rewritePath(req.url, match.route.rewrite))) {
        throw kernelError(KernelErrorCode.HttpNotFound, `no route for ${req.method} ${req.url.split('?')[0]}`, {
          statusCode: 404,
        });
      }
      req.gw = match;
      const { route } = match;
      const length = Number(req.headers['content-length'] ?? 0);
      if (length > route.bodyLimit) throw tooLarge(route.bodyLimit);
      await limiter.spend(req, reply, route, ['ip']);
      let identity: Identity | undefined;
      if (route.spec.auth === 'user') {
        reply.header('cache-control', 'no-store');
        try {
          identity = await tokens.verify(bearerOf(req, route.spec.websocket === true));
        } catch (err) {
          reply.header('www-authenticate', 'Bearer realm="wattstream", error="invalid_token"');
          throw err;
        }
        authorize(route, match.params, identity, coachLinks);
        req.identity = identity;
        req.gwIdentityHeader = signer.sign(identity, req.id);
      }
      await limiter.spend(req, reply, route, ['user', 'route'], identity);
    });
    // A body refused half-read (too large, too slow): the rest is not read, the connection not reused.
    app.addHook('onError', async (req, reply) => {
      if (!req.raw.complete) reply.header('connection', 'close');
    });
    app.addHook('onResponse', async (req, reply) => {
      const route = req.gw?.route;
      if (!route) return;
      metrics.requests.inc({ route: route.id, upstream: route.upstream, status: String(reply.statusCode) });
      metrics.duration.observe(
        { route: route.id, status_class: `${Math.floor(reply.statusCode / 100)}xx` },
        reply.elapsedTime / 1000,
      );
    });

    const shadowAgent = new Agent({ connections: c.upstreamConnections });
    ctx.onShutdown('close', 'shadow connections', () => shadowAgent.close());
    const handler = dispatch({
      timeoutMs: c.upstreamTimeout,
      shadowMaxBody: c.shadowMaxBody,
      comparator: new ShadowComparator(ctx.registry, ctx.logger),
      shadowAgent,
    });
    const undici = { connections: c.upstreamConnections, pipelining: 1, keepAliveTimeout: 30_000 };

    await app.register(async (scope) => {
      await scope.register(replyFrom, { undici, disableRequestLogging: true });
      for (const url of ['/', '/*']) scope.route({ method: METHODS, url, config: PROXIED, handler });
    });
    // WebSocket prefixes are mounted once, at start; their upstream and auth follow reloads.
    for (const prefix of routes.current.websocketPrefixes()) {
      const options = {
        prefix,
        rewritePrefix: '',
        upstream: '',
        websocket: true,
        httpMethods: METHODS,
        config: PROXIED,
        undici,
        disableRequestLogging: true,
        preValidation: async () => {}, // keep the gateway's body reader (no pass-through parsers)
        handler: (req: FastifyRequest, reply: FastifyReply) => handler(req, reply),
        replyOptions: { getUpstream: (req: FastifyRequest) => req.gw?.route.newBase ?? '' },
        wsClientOptions: {
          // The upstream WebSocket gets the identity header, request id and trace context too.
          rewriteRequestHeaders: (headers: Record<string, string>, req: FastifyRequest) =>
            upstreamRequestHeaders(req, { ...headers }, req.gw!.route),
        },
      };
      await app.register(httpProxy, options as unknown as FastifyHttpProxyOptions);
    }
    return { routes, signer, deleted, coachLinks };
  },
});
