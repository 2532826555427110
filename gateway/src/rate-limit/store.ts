import { createRequire } from 'node:module';
import { Counter, Gauge, type Logger, type Registry } from '@wattstream/platform';
import { Redis } from 'ioredis';

type Result = { current: number; ttl: number };
type Callback = (err: Error | null, res: Result | null) => void;
interface Store {
  incr(key: string, cb: Callback, timeWindow: number, max: number): void;
}
type StoreClass = new (continueExceeding: boolean, exponentialBackoff: boolean, ...rest: unknown[]) => Store;

// The two stores @fastify/rate-limit ships (a Lua INCR+PEXPIRE script on Redis, an LRU in memory).
const require = createRequire(import.meta.url);
const RedisStore = require('@fastify/rate-limit/store/RedisStore') as StoreClass;
const LocalStore = require('@fastify/rate-limit/store/LocalStore') as StoreClass;

/** After a Redis failure, how long the local limiter serves before Redis is tried again. */
const PROBE_EVERY_MS = 1000;

export interface SharedBudgetOptions {
  redisUrl: string;
  timeoutMs: number;
  logger: Logger;
  registry: Registry;
}

/**
 * The limiter's store: counters in Redis, so every gateway replica spends one budget. When Redis
 * fails or is slower than `timeoutMs`, it degrades to a per-replica counter in memory — loudly: an
 * error log on the change, `wattstream_gateway_rate_limit_degraded` 1 — and goes back to Redis as
 * soon as a probe (every second) succeeds.
 */
export class SharedBudgetStore implements Store {
  readonly redis: Redis;
  private readonly shared: Store;
  private readonly local: Store;
  private downSince = 0;
  private nextProbe = 0;
  private readonly degraded: Gauge;
  private readonly errors: Counter;

  constructor(private readonly o: SharedBudgetOptions) {
    this.redis = new Redis(o.redisUrl, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: o.timeoutMs,
      connectTimeout: Math.max(1000, o.timeoutMs),
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
      connectionName: 'gateway-rate-limit',
    });
    this.redis.on('error', () => {}); // counted and logged per failed call below
    this.shared = new RedisStore(false, false, this.redis, 'wattstream:gateway:rl:');
    this.local = new LocalStore(false, false, 100_000);
    this.degraded = new Gauge({
      name: 'wattstream_gateway_rate_limit_degraded',
      help: '1 while Redis is unreachable and each replica limits on its own (budgets are then per replica)',
      registers: [o.registry],
    });
    this.errors = new Counter({
      name: 'wattstream_gateway_rate_limit_store_errors_total',
      help: 'rate-limit calls to Redis that failed or timed out (the local limiter answered)',
      registers: [o.registry],
    });
  }

  get isDegraded(): boolean {
    return this.downSince > 0;
  }

  incr(key: string, cb: Callback, timeWindow: number, max: number): void {
    if (this.downSince > 0 && Date.now() < this.nextProbe) {
      this.local.incr(key, cb, timeWindow, max);
      return;
    }
    this.shared.incr(
      key,
      (err, res) => {
        if (err) {
          this.failed(err);
          this.local.incr(key, cb, timeWindow, max);
          return;
        }
        if (this.downSince > 0) {
          this.o.logger.warn(
            { downMs: Date.now() - this.downSince },
            'rate limiter: Redis is back; budgets are shared again',
          );
          this.downSince = 0;
          this.degraded.set(0);
        }
        cb(null, res);
      },
      timeWindow,
      max,
    );
  }

  private failed(err: Error): void {
    this.errors.inc();
    this.nextProbe = Date.now() + PROBE_EVERY_MS;
    if (this.downSince === 0) {
      this.downSince = Date.now();
      this.degraded.set(1);
      this.o.logger.error(
        { err: err.message },
        'rate limiter: Redis unreachable; DEGRADED to per-replica local limits until it is back',
      );
    }
  }

  /** For @fastify/rate-limit: one store serves every limiter (keys carry the scope). */
  child(): this {
    return this;
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }
}
