import { fileURLToPath } from 'node:url';
import {
  bool,
  bytes,
  DEFAULT_SERVICE_PORTS,
  duration,
  int,
  list,
  optionalStr,
  path,
  port,
  sharedConfig,
  url,
} from '@wattstream/platform';

export const gatewayPort = port('GATEWAY_PORT', {
  default: DEFAULT_SERVICE_PORTS.gateway,
  allowZero: true,
  description:
    'HTTP: every public route, /live WebSocket upgrades, /openapi.json, /docs, /.well-known/gateway-jwks.json, /metrics, /healthz, /readyz',
});

/** The services the route table can name, with the setting that says where each one listens. */
export const UPSTREAMS = {
  users: DEFAULT_SERVICE_PORTS.users,
  training: DEFAULT_SERVICE_PORTS.training,
  tracking: DEFAULT_SERVICE_PORTS.tracking,
  social: DEFAULT_SERVICE_PORTS.social,
  notifications: DEFAULT_SERVICE_PORTS.notifications,
  inventory: DEFAULT_SERVICE_PORTS.inventory,
  integrations: DEFAULT_SERVICE_PORTS.integrations,
  analytics: DEFAULT_SERVICE_PORTS.analytics,
  legacy: DEFAULT_SERVICE_PORTS.legacy,
  live: DEFAULT_SERVICE_PORTS.live,
  web: DEFAULT_SERVICE_PORTS.web,
} as const;
export type UpstreamName = keyof typeof UPSTREAMS;

const upstreamUrl = (name: UpstreamName) =>
  url(`${name.toUpperCase()}_URL`, {
    default: `http://127.0.0.1:${UPSTREAMS[name]}`,
    protocols: ['http:', 'https:'],
    description: `where the ${name === 'live' ? 'live WebSocket server' : `${name} service`} listens`,
  });

/** packages/contracts/openapi of this checkout (the same from src/ and dist/). */
const contractsOpenApiDir = (): string => fileURLToPath(new URL('../../packages/contracts/openapi/', import.meta.url));

export const gatewayConfig = {
  dataDir: sharedConfig.dataDir,
  redisUrl: sharedConfig.redisUrl,
  usersUrl: upstreamUrl('users'),
  trainingUrl: upstreamUrl('training'),
  trackingUrl: upstreamUrl('tracking'),
  socialUrl: upstreamUrl('social'),
  notificationsUrl: upstreamUrl('notifications'),
  inventoryUrl: upstreamUrl('inventory'),
  integrationsUrl: upstreamUrl('integrations'),
  analyticsUrl: upstreamUrl('analytics'),
  legacyUrl: upstreamUrl('legacy'),
  liveUrl: upstreamUrl('live'),
  webUrl: upstreamUrl('web'),
  routesFile: optionalStr(
    'GATEWAY_ROUTES_FILE',
    'a JSON route table that replaces the built-in one; watched, so an edit applies without a restart (an invalid file keeps the previous table)',
  ),
  routesPoll: duration('GATEWAY_ROUTES_POLL', {
    default: '250ms',
    min: 50,
    max: 60_000,
    description: 'how often GATEWAY_ROUTES_FILE is checked for a change',
  }),
  identityKey: optionalStr(
    'GATEWAY_IDENTITY_KEY',
    'Ed25519 PKCS#8 PEM, or a path to one, that signs the identity header; every replica needs the same (default: a development key under DATA_DIR)',
  ),
  identityTtl: duration('GATEWAY_IDENTITY_TTL', {
    default: '60s',
    min: 5000,
    max: 600_000,
    description: 'lifetime of the signed identity header forwarded to services',
  }),
  rateLimit: bool('GATEWAY_RATE_LIMIT', {
    default: true,
    description: 'per-user, per-IP and per-route rate limits (Redis at REDIS_URL, shared by every replica)',
  }),
  redisTimeout: duration('GATEWAY_REDIS_TIMEOUT', {
    default: '250ms',
    min: 10,
    max: 10_000,
    description: 'a rate-limit call to Redis slower than this counts as Redis down (the local limiter takes over)',
  }),
  corsOrigins: list('GATEWAY_CORS_ORIGINS', {
    default: '',
    description: 'browser origins allowed to call the API cross-origin, comma-separated (none by default)',
  }),
  upstreamTimeout: duration('GATEWAY_UPSTREAM_TIMEOUT', {
    default: '30s',
    min: 100,
    description: 'a service that has not answered in this time gets the request cancelled (504)',
  }),
  upstreamConnections: int('GATEWAY_UPSTREAM_CONNECTIONS', {
    default: 64,
    min: 1,
    max: 10_000,
    description: 'keep-alive connections per service',
  }),
  maxJsonDepth: int('GATEWAY_MAX_JSON_DEPTH', {
    default: 32,
    min: 2,
    max: 1000,
    description: 'deepest nesting of objects and arrays a JSON body may have (400 beyond)',
  }),
  bodyTimeout: duration('GATEWAY_BODY_TIMEOUT', {
    default: '10s',
    min: 100,
    max: 600_000,
    description: 'a client that has not sent its whole body in this time gets 408 and is disconnected',
  }),
  headersTimeout: duration('GATEWAY_HEADERS_TIMEOUT', {
    default: '10s',
    min: 1000,
    max: 120_000,
    description: "a client that has not sent its request headers in this time is disconnected (Node's headersTimeout)",
  }),
  maxBodyLimit: bytes('GATEWAY_MAX_BODY_LIMIT', {
    default: '16MiB',
    min: 1024,
    max: 1024 * 1024 * 1024,
    description: 'largest body any route may allow (routes set smaller limits in the table)',
  }),
  shadowMaxBody: bytes('GATEWAY_SHADOW_MAX_BODY', {
    default: '1MiB',
    min: 1024,
    description: 'shadowed responses larger than this are passed on but not compared',
  }),
  denylistRetention: duration('GATEWAY_DENYLIST_RETENTION', {
    default: '25h',
    min: 60_000,
    description:
      'how long a deleted account stays refused; longer than the longest access token (USERS_ACCESS_TTL, at most 24 h)',
  }),
  tokenCacheTtl: duration('GATEWAY_TOKEN_CACHE_TTL', {
    default: '30s',
    min: 0,
    max: 300_000,
    description: 'how long a verified access token is remembered (0: verify every request)',
  }),
  openapiDir: path('GATEWAY_OPENAPI_DIR', {
    default: contractsOpenApiDir(),
    description: "the services' OpenAPI documents (<service>.json) merged into /openapi.json",
  }),
};
