import type { KafkaTopicContract } from '@wattstream/contracts';
import type { Logger, Registry, ShutdownHook, ShutdownPhase } from '@wattstream/platform';
import type { Authenticator } from './auth.js';
import type { Pool, PoolClient } from './db/postgres.js';
import type { ConsumerSpec } from './events/consumer.js';
import type { Outbox } from './events/outbox.js';
import type { Readiness } from './health.js';
import type { HttpServer } from './http/server.js';
import type { KafkaKit, TopicSpec } from './kafka.js';

/** What `start(ctx)` of a service gets from the kernel. */
export interface ServiceContext<C> {
  readonly name: string;
  readonly instance: string;
  readonly config: C;
  readonly logger: Logger;
  readonly registry: Registry;
  /** Register routes here; the kernel listens once `start` returns. */
  readonly http: HttpServer;
  readonly readiness: Readiness;
  /** Adds a hook to a shutdown phase: `intake` → `drain` → `flush` → `close`. */
  onShutdown(phase: ShutdownPhase, name: string, hook: ShutdownHook): void;
  /** The service's own database (services defined with `postgres`). */
  readonly db: Pool;
  /** Runs `fn` in one transaction of the service's database; connection failures become 503s. */
  tx<T>(fn: (client: PoolClient) => Promise<T>): Promise<T>;
  /** Kafka (services defined with `kafka`). */
  readonly kafka: KafkaKit;
  /** The transactional outbox (services defined with `outbox`). */
  readonly outbox: Outbox;
  /** Verifies users' access tokens against the users service's JWKS. */
  readonly auth: Authenticator;
  /** Registers a handler for a topic; the kernel runs it once `start` returns. */
  consume<T extends KafkaTopicContract>(spec: ConsumerSpec<T>): void;
  /** Topics this service writes (through the outbox or directly); created at start when allowed. */
  produces(...topics: TopicSpec[]): void;
}
