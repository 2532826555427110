import type { RouteSpec, RouteTable } from './schema.js';

/** The domain services behind a plain authenticated prefix (`/<name>/...` → `<name>` without it). */
const SERVICES = ['tracking', 'social', 'notifications', 'inventory', 'integrations', 'analytics'] as const;

const authenticated = (name: string, extra: Partial<RouteSpec> = {}): RouteSpec => ({
  id: name,
  prefix: `/${name}`,
  service: name,
  auth: 'user',
  ...extra,
});

/**
 * The built-in route table: every public prefix, who may call it, where it goes. Services'
 * addresses come from their `<NAME>_URL` settings. `GATEWAY_ROUTES_FILE` replaces it with a JSON
 * file of the same shape (`gateway routes` prints this one), e.g. to move `/training` from the
 * legacy system to the new service without a restart.
 */
export const defaultRouteTable: RouteTable = {
  version: 1,
  rateLimits: {
    default: { user: { max: 1200, window: '1m' }, ip: { max: 2400, window: '1m' } },
    // Sign-in and registration: a small budget per address against password guessing.
    auth: { ip: { max: 30, window: '1m' } },
    public: { ip: { max: 600, window: '1m' } },
    live: { user: { max: 60, window: '1m' }, ip: { max: 120, window: '1m' } },
  },
  defaultRateLimit: 'default',
  defaultBodyLimit: '256KiB',
  routes: [
    {
      id: 'users-auth',
      prefix: '/users/v1/auth',
      methods: ['POST'],
      service: 'users',
      auth: 'anonymous',
      rateLimit: 'auth',
      bodyLimit: '16KiB',
    },
    {
      id: 'users-jwks',
      prefix: '/users/.well-known',
      methods: ['GET'],
      service: 'users',
      auth: 'anonymous',
      rateLimit: 'public',
    },
    { id: 'users-admin', prefix: '/users/v1/admin', service: 'users', auth: 'user', roles: ['admin'] },
    {
      id: 'users-invitations',
      prefix: '/users/v1/coach-invitations',
      service: 'users',
      auth: 'user',
      roles: ['coach'],
    },
    {
      id: 'users-coach-inbox',
      prefix: '/users/v1/me/coach-invitations',
      methods: ['GET'],
      service: 'users',
      auth: 'user',
      roles: ['coach'],
    },
    { id: 'users-my-athletes', prefix: '/users/v1/me/athletes', service: 'users', auth: 'user', roles: ['coach'] },
    {
      id: 'users-athlete',
      prefix: '/users/v1/athletes/:athleteId',
      service: 'users',
      auth: 'user',
      owner: { param: 'athleteId', allow: ['self', 'coach'] },
    },
    authenticated('users'),
    // Strangler: the old monolith serves /training until the training service takes over
    // (`upstream` legacy → shadow → new in a routes file).
    {
      id: 'training-athlete',
      prefix: '/training/v1/athletes/:athleteId',
      service: 'training',
      legacy: 'legacy',
      upstream: 'legacy',
      auth: 'user',
      owner: { param: 'athleteId', allow: ['self', 'coach'] },
    },
    {
      id: 'training-uploads',
      prefix: '/training/v1/sessions',
      methods: ['POST'],
      service: 'training',
      legacy: 'legacy',
      upstream: 'legacy',
      auth: 'user',
      bodyLimit: '16MiB',
    },
    authenticated('training', { legacy: 'legacy', upstream: 'legacy' }),
    authenticated('tracking-athlete', {
      prefix: '/tracking/v1/athletes/:athleteId',
      service: 'tracking',
      owner: { param: 'athleteId', allow: ['self', 'coach'] },
    }),
    ...SERVICES.map((s) => authenticated(s)),
    authenticated('live', { websocket: true, rateLimit: 'live' }),
    // The pages: the live dashboard (its socket is /live above) and the athlete's session pages;
    // static files, no token needed to load them (the data they fetch is authenticated).
    {
      id: 'dashboard',
      prefix: '/dashboard',
      methods: ['GET'],
      service: 'live',
      auth: 'anonymous',
      rateLimit: 'public',
    },
    { id: 'web', prefix: '/app', methods: ['GET'], service: 'web', auth: 'anonymous', rateLimit: 'public' },
  ],
};
