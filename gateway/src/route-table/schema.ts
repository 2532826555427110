import { type Static, Type } from '@sinclair/typebox';

const Name = Type.String({ pattern: '^[a-z][a-z0-9-]{0,39}$' });
const HeaderName = Type.String({ pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$" });
const Duration = Type.String({ pattern: '^[0-9]{1,9}(ms|s|m|h)$', description: '250ms, 1s, 1m, 1h' });
const Size = Type.String({ pattern: '^[0-9]{1,9}(B|KiB|MiB)$', description: 'a size such as 512B, 64KiB, 1MiB' });
/** A path prefix: segments of path characters; `:name` captures one segment for `owner`. */
const Prefix = Type.String({ pattern: "^(/(:[A-Za-z][A-Za-z0-9]{0,31}|[A-Za-z0-9._~!$&'()*+,;=@-]{1,64}))+$|^/$" });
const PathPart = Type.String({ pattern: "^(/[A-Za-z0-9._~!$&'()*+,;=@:-]{1,64})*$" });

export const Budget = Type.Object(
  { max: Type.Integer({ minimum: 1, maximum: 10_000_000 }), window: Duration },
  { additionalProperties: false },
);

/** A rate-limit class: a budget per user (authenticated routes), per client IP, and for the route as a whole. */
export const RateLimitClass = Type.Object(
  { user: Type.Optional(Budget), ip: Type.Optional(Budget), route: Type.Optional(Budget) },
  { additionalProperties: false },
);

export const Rewrite = Type.Object(
  {
    /** Removed from the front of the path (default: the route's first segment, e.g. `/users`). */
    stripPrefix: Type.Optional(PathPart),
    /** Put in front of what remains. */
    addPrefix: Type.Optional(PathPart),
  },
  { additionalProperties: false },
);

export const HeaderRules = Type.Object(
  {
    add: Type.Optional(Type.Record(HeaderName, Type.String({ maxLength: 1024 }))),
    remove: Type.Optional(Type.Array(HeaderName, { maxItems: 64 })),
  },
  { additionalProperties: false },
);

export const Route = Type.Object(
  {
    id: Name,
    prefix: Prefix,
    /** Only these methods (default: every method). */
    methods: Type.Optional(
      Type.Array(Type.Union(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'].map((m) => Type.Literal(m))), {
        minItems: 1,
        uniqueItems: true,
      }),
    ),
    /** The new service (a name from `services`). */
    service: Name,
    /** The system it replaces (strangler), required for `upstream: legacy | shadow`. */
    legacy: Type.Optional(Name),
    upstream: Type.Optional(Type.Union([Type.Literal('new'), Type.Literal('legacy'), Type.Literal('shadow')])),
    auth: Type.Union([Type.Literal('anonymous'), Type.Literal('user')]),
    /** The caller needs one of these roles (403 otherwise). */
    roles: Type.Optional(
      Type.Array(Type.Union([Type.Literal('athlete'), Type.Literal('coach'), Type.Literal('admin')]), { minItems: 1 }),
    ),
    /**
     * Object-level rule the gateway can decide from the path: the `:param` of the prefix names an
     * athlete, and only that athlete (`self`) or one of their coaches (`coach`) passes; anyone else
     * gets the 404 an unknown id gets. The service checks the object again.
     */
    owner: Type.Optional(
      Type.Object(
        {
          param: Type.String({ pattern: '^[A-Za-z][A-Za-z0-9]{0,31}$' }),
          allow: Type.Array(Type.Union([Type.Literal('self'), Type.Literal('coach')]), { minItems: 1 }),
        },
        { additionalProperties: false },
      ),
    ),
    rewrite: Type.Optional(Rewrite),
    /** The path rewrite towards `legacy` (default: none: the monolith serves the public paths). */
    legacyRewrite: Type.Optional(Rewrite),
    requestHeaders: Type.Optional(HeaderRules),
    responseHeaders: Type.Optional(HeaderRules),
    bodyLimit: Type.Optional(Size),
    rateLimit: Type.Optional(Name),
    /** WebSocket upgrades are proxied (the prefix is mounted at start; its other settings reload). */
    websocket: Type.Optional(Type.Boolean()),
    shadow: Type.Optional(
      Type.Object(
        {
          /** JSON fields that differ by nature (ids, timestamps): dotted paths, `*` for any array index. */
          volatile: Type.Optional(Type.Array(Type.String({ pattern: '^[A-Za-z0-9_*.-]{1,128}$' }), { maxItems: 64 })),
          /** Methods that are copied to the new service (default GET and HEAD: writes are never doubled). */
          methods: Type.Optional(Type.Array(Type.String({ pattern: '^[A-Z]{3,7}$' }), { minItems: 1 })),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const RouteTableSchema = Type.Object(
  {
    version: Type.Literal(1),
    /** Base URLs by service name; a name missing here comes from its `<NAME>_URL` setting. */
    services: Type.Optional(
      Type.Record(Name, Type.String({ pattern: '^https?://[^\\s/?#]+(/[^\\s?#]*)?$', maxLength: 512 })),
    ),
    rateLimits: Type.Record(Name, RateLimitClass),
    /** The class a route without `rateLimit` gets. */
    defaultRateLimit: Name,
    /** Largest body of a route without `bodyLimit`. */
    defaultBodyLimit: Size,
    routes: Type.Array(Route, { minItems: 1, maxItems: 1000 }),
  },
  { additionalProperties: false, $id: 'wattstream/gateway/RouteTable' },
);

export type RouteTable = Static<typeof RouteTableSchema>;
export type RouteSpec = Static<typeof Route>;
export type RateLimitClass = Static<typeof RateLimitClass>;
export type Budget = Static<typeof Budget>;
export type HeaderRules = Static<typeof HeaderRules>;
export type Rewrite = Static<typeof Rewrite>;
