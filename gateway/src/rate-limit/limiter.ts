import rateLimit from '@fastify/rate-limit';
import type { Identity } from '@wattstream/kernel';
import { Counter, type Registry } from '@wattstream/platform';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { GatewayErrorCode, gatewayError } from '../errors.js';
import type { CompiledBudget, CompiledRoute } from '../route-table/compile.js';
import type { SharedBudgetStore } from './store.js';

type Scope = 'ip' | 'user' | 'route';
type Check = (
  req: FastifyRequest,
) => Promise<{ max?: number; remaining?: number; ttlInSeconds?: number; isExceeded?: boolean }>;

declare module 'fastify' {
  interface FastifyRequest {
    /** The budget being checked (the limiter reads max and window from it). */
    gwBudget?: { budget: CompiledBudget; key: string };
  }
}

/**
 * Per-IP, per-user and per-route budgets from the route's rate-limit class, checked with
 * @fastify/rate-limit against the shared Redis store. The answer carries `RateLimit-Limit`,
 * `RateLimit-Remaining` and `RateLimit-Reset` of the tightest budget; a spent one is a 429 with
 * `Retry-After`.
 */
export class Limiter {
  private check: Check | undefined;
  private readonly limited: Counter<'route' | 'scope'>;

  constructor(registry: Registry) {
    this.limited = new Counter({
      name: 'wattstream_gateway_rate_limited_total',
      help: 'requests refused with 429, by route and budget (ip, user, route)',
      labelNames: ['route', 'scope'] as const,
      registers: [registry],
    });
  }

  async register(app: FastifyInstance, store: SharedBudgetStore): Promise<void> {
    await app.register(rateLimit, {
      global: false,
      store: class {
        constructor() {
          // biome-ignore lint/correctness/noConstructorReturn: the plugin instantiates the store class; all share one
          return store;
        }
      } as never,
    });
    this.check = app.createRateLimit({
      keyGenerator: (req) => req.gwBudget!.key,
      max: (req) => req.gwBudget!.budget.max,
      timeWindow: (req) => req.gwBudget!.budget.windowMs,
    }) as unknown as Check;
  }

  /** Spends one unit of each budget of `scopes` that the route's class defines. */
  async spend(
    req: FastifyRequest,
    reply: FastifyReply,
    route: CompiledRoute,
    scopes: readonly Scope[],
    identity?: Identity,
  ): Promise<void> {
    if (!this.check) return;
    for (const scope of scopes) {
      const budget = route.limits[scope];
      if (!budget) continue;
      const who = scope === 'ip' ? req.ip : scope === 'user' ? identity?.userId : '';
      if (who === undefined) continue;
      req.gwBudget = {
        budget,
        key: `${scope}:${scope === 'route' ? route.id : route.limitClass}:${budget.windowMs}:${who}`,
      };
      const r = await this.check(req);
      if (r.max === undefined) continue;
      const tightest = Number(reply.getHeader('ratelimit-remaining') ?? Number.POSITIVE_INFINITY);
      if ((r.remaining ?? 0) <= tightest || r.isExceeded) {
        reply.header('ratelimit-limit', r.max);
        reply.header('ratelimit-remaining', r.remaining ?? 0);
        reply.header('ratelimit-reset', r.ttlInSeconds ?? 0);
      }
      if (r.isExceeded) {
        this.limited.inc({ route: route.id, scope });
        reply.header('retry-after', r.ttlInSeconds ?? 1);
        throw gatewayError(
          GatewayErrorCode.RateLimited,
          `too many requests (${scope} budget of ${budget.max} per ${budget.windowMs / 1000} s); retry in ${r.ttlInSeconds ?? 1} s`,
          { statusCode: 429, details: { retryAfterS: r.ttlInSeconds ?? 1 } },
        );
      }
    }
  }
}
