import { compile as compileSchema } from '@wattstream/contracts';
import { parseDuration } from '@wattstream/platform';
import { GatewayErrorCode, gatewayError } from '../errors.js';
import type { Budget, HeaderRules, RateLimitClass, Rewrite, RouteSpec, RouteTable } from './schema.js';
import { RouteTableSchema } from './schema.js';

/** A budget in the units the limiter takes. */
export interface CompiledBudget {
  max: number;
  windowMs: number;
}

export type Segment = { literal: string } | { param: string };

export interface CompiledRoute {
  readonly spec: RouteSpec;
  readonly id: string;
  /** The prefix's segments; a `:name` segment captures that segment of the path. */
  readonly segments: readonly Segment[];
  readonly methods: ReadonlySet<string> | undefined;
  readonly upstream: 'new' | 'legacy' | 'shadow';
  readonly newBase: string;
  readonly legacyBase: string | undefined;
  readonly rewrite: Required<Rewrite>;
  readonly legacyRewrite: Required<Rewrite>;
  readonly bodyLimit: number;
  readonly limits: { user?: CompiledBudget; ip?: CompiledBudget; route?: CompiledBudget };
  readonly limitClass: string;
  readonly requestHeaders: Required<HeaderRules>;
  readonly responseHeaders: Required<HeaderRules>;
  readonly shadowMethods: ReadonlySet<string>;
  readonly volatile: readonly string[][];
}

export interface RouteMatch {
  route: CompiledRoute;
  params: Record<string, string>;
}

/** A validated, compiled route table: `match(method, path)` finds the most specific route. */
export class CompiledTable {
  constructor(
    readonly source: RouteTable,
    readonly routes: readonly CompiledRoute[],
  ) {}

  /** Longest prefix wins; at equal length a literal segment beats a `:param`. `path` has no query. */
  match(method: string, segments: readonly string[]): RouteMatch | undefined {
    for (const route of this.routes) {
      if (route.methods && !route.methods.has(method === 'HEAD' && !route.methods.has('HEAD') ? 'GET' : method))
        continue;
      if (route.segments.length > segments.length) continue;
      const params: Record<string, string> = {};
      let ok = true;
      for (let i = 0; i < route.segments.length; i++) {
        const s = route.segments[i]!;
        const actual = segments[i]!;
        if ('literal' in s) {
          if (s.literal !== actual) {
            ok = false;
            break;
          }
        } else {
          params[s.param] = actual;
        }
      }
      if (ok) return { route, params };
    }
    return undefined;
  }

  /** Prefixes of routes that take WebSocket upgrades. */
  websocketPrefixes(): string[] {
    return this.routes.filter((r) => r.spec.websocket).map((r) => r.spec.prefix);
  }
}

const SIZE_UNITS: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 * 1024 };
const size = (s: string): number => {
  const m = /^(\d+)(B|KiB|MiB)$/.exec(s);
  return Number(m![1]) * SIZE_UNITS[m![2]!]!;
};
const budget = (b: Budget | undefined): CompiledBudget | undefined =>
  b ? { max: b.max, windowMs: parseDuration(b.window)! } : undefined;

const validator = compileSchema(RouteTableSchema);

/**
 * Checks a route table against its schema and its cross-references (services, rate-limit classes,
 * owner parameters, duplicate ids), and compiles it. Every problem is reported at once as a
 * `WS_GATEWAY_ROUTES_INVALID` error naming the route.
 */
export function compileRouteTable(input: unknown, serviceUrls: Record<string, string>): CompiledTable {
  const parsed = validator.validate(input);
  if (!parsed.ok) {
    throw gatewayError(GatewayErrorCode.RoutesInvalid, `route table: ${parsed.error.message}`, { cause: parsed.error });
  }
  const table = parsed.value;
  const services = { ...serviceUrls, ...table.services };
  const problems: string[] = [];
  const ids = new Set<string>();
  const classes = table.rateLimits;
  if (!classes[table.defaultRateLimit])
    problems.push(`defaultRateLimit "${table.defaultRateLimit}" is not in rateLimits`);
  const compiled: CompiledRoute[] = [];
  for (const r of table.routes) {
    const where = `route ${r.id}`;
    if (ids.has(r.id)) problems.push(`${where}: the id is used twice`);
    ids.add(r.id);
    const newBase = services[r.service];
    if (!newBase) problems.push(`${where}: unknown service "${r.service}"`);
    const legacyBase = r.legacy ? services[r.legacy] : undefined;
    if (r.legacy && !legacyBase) problems.push(`${where}: unknown legacy service "${r.legacy}"`);
    const upstream = r.upstream ?? 'new';
    if (upstream !== 'new' && !r.legacy) problems.push(`${where}: upstream "${upstream}" needs "legacy"`);
    const limitClass = r.rateLimit ?? table.defaultRateLimit;
    const cls: RateLimitClass | undefined = classes[limitClass];
    if (!cls) problems.push(`${where}: rate-limit class "${limitClass}" is not in rateLimits`);
    const segments: Segment[] = r.prefix
      .split('/')
      .filter(Boolean)
      .map((s) => (s.startsWith(':') ? { param: s.slice(1) } : { literal: s }));
    if (r.owner && !segments.some((s) => 'param' in s && s.param === r.owner!.param)) {
      problems.push(`${where}: owner.param "${r.owner.param}" is not a :param of the prefix`);
    }
    if (r.owner && r.auth !== 'user') problems.push(`${where}: an owner rule needs auth "user"`);
    const bodyLimit = size(r.bodyLimit ?? table.defaultBodyLimit);
    compiled.push({
      spec: r,
      id: r.id,
      segments,
      methods: r.methods ? new Set(r.methods) : undefined,
      upstream,
      newBase: newBase ?? '',
      legacyBase,
      rewrite: {
        stripPrefix:
          r.rewrite?.stripPrefix ?? (segments[0] && 'literal' in segments[0] ? `/${segments[0].literal}` : ''),
        addPrefix: r.rewrite?.addPrefix ?? '',
      },
      legacyRewrite: { stripPrefix: r.legacyRewrite?.stripPrefix ?? '', addPrefix: r.legacyRewrite?.addPrefix ?? '' },
      bodyLimit,
      limits: { user: budget(cls?.user), ip: budget(cls?.ip), route: budget(cls?.route) },
      limitClass,
      requestHeaders: { add: r.requestHeaders?.add ?? {}, remove: (r.requestHeaders?.remove ?? []).map(lower) },
      responseHeaders: { add: r.responseHeaders?.add ?? {}, remove: (r.responseHeaders?.remove ?? []).map(lower) },
      shadowMethods: new Set(r.shadow?.methods ?? ['GET', 'HEAD']),
      volatile: (r.shadow?.volatile ?? []).map((v) => v.split('.')),
    });
  }
  if (problems.length > 0) {
    throw gatewayError(GatewayErrorCode.RoutesInvalid, `route table: ${problems.join('; ')}`, {
      details: { problems },
    });
  }
  // Most specific first: more segments, then literals before params at the first difference.
  const rank = (r: CompiledRoute) => r.segments.map((s) => ('literal' in s ? '1' : '0')).join('');
  compiled.sort(
    (a, b) =>
      b.segments.length - a.segments.length ||
      rank(b).localeCompare(rank(a)) ||
      (b.methods ? 1 : 0) - (a.methods ? 1 : 0),
  );
  return new CompiledTable(table, compiled);
}

const lower = (s: string) => s.toLowerCase();

/** The path towards an upstream: `/users/v1/me` with strip `/users` → `/v1/me`. `path` keeps its query. */
export function rewritePath(path: string, rule: Required<Rewrite>): string {
  let rest = path;
  if (
    rule.stripPrefix &&
    (rest === rule.stripPrefix || rest.startsWith(`${rule.stripPrefix}/`) || rest.startsWith(`${rule.stripPrefix}?`))
  ) {
    rest = rest.slice(rule.stripPrefix.length);
  }
  if (!rest.startsWith('/')) rest = `/${rest}`;
  return `${rule.addPrefix}${rest}`;
}

/**
 * A service's own operations endpoints (`/metrics`, `/healthz`, `/readyz`, `/admin/…`): for
 * Prometheus, the kubelet and operators inside the cluster, never reached through a public prefix.
 */
export function isServiceOpsPath(upstreamPath: string): boolean {
  const path = upstreamPath.split('?')[0]?.toLowerCase() ?? '';
  return /^\/(metrics|healthz|readyz|admin)(\/|$)/.test(path);
}
