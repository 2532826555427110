import type { KafkaTopicContract } from '@wattstream/contracts';
import {
  type ConfigOf,
  type ConfigSpec,
  configError,
  createLogger,
  createRegistry,
  createShutdown,
  type Field,
  type Logger,
  loadConfig,
  logLevelsOf,
  type Shutdown,
  startTracing,
} from '@wattstream/platform';
import { Authenticator } from './auth.js';
import { authConfig, baseConfig, kafkaConfig, outboxConfig, postgresConfig } from './config.js';
import type { ServiceContext } from './context.js';
import { KERNEL_MIGRATIONS, migrate } from './db/migrate.js';
import { createPool, type Pool, pingDb, withTransaction } from './db/postgres.js';
import { ConsumerGroup, type ConsumerSpec, consumerMetrics } from './events/consumer.js';
import { dlqTopic } from './events/dlq.js';
import { Outbox } from './events/outbox.js';
import { OutboxRelay } from './events/relay.js';
import { Readiness } from './health.js';
import { serveLogLevels } from './http/log-levels.js';
import { createHttpServer, type HttpServer } from './http/server.js';
import { KafkaKit, type TopicSpec } from './kafka.js';

export interface ServiceDefinition<S extends ConfigSpec = ConfigSpec, R = unknown> {
  /** Short name: logs, metrics, the default consumer group, `ce_source` (`/<name>`). */
  name: string;
  description: string;
  version?: string;
  /** The service's own settings; the kernel adds its own (and Kafka/Postgres ones when used). */
  config: S;
  /** Settings that are each valid but cannot work together; each problem names the variables. */
  check?: (config: ConfigOf<S>) => string[];
  /** The HTTP port setting (REST and `/metrics`, `/healthz`, `/readyz`). */
  port: Field<number>;
  /** The service's own replica-name setting, when it has one (else SERVICE_INSTANCE). */
  instance?: Field<string>;
  /** A database of its own, migrated from this folder of SQL files at start. */
  postgres?: { migrations: URL };
  kafka?: boolean;
  /** The transactional outbox and its relay (needs `postgres` and `kafka`). */
  outbox?: boolean;
  start(ctx: ServiceContext<ConfigOf<S> & KernelSettings>): Promise<R> | R;
}

export function defineService<S extends ConfigSpec, R>(def: ServiceDefinition<S, R>): ServiceDefinition<S, R> {
  if (def.outbox && !(def.postgres && def.kafka)) throw new Error(`${def.name}: the outbox needs postgres and kafka`);
  return def;
}

/** The settings a definition reads: the kernel's, the ones its features need, then its own. */
export function serviceConfigSpec(def: ServiceDefinition): ConfigSpec {
  return {
    ...baseConfig,
    ...(def.instance ? { instance: def.instance } : {}),
    httpPort: def.port,

    ...(def.kafka ? kafkaConfig : {}),
    ...(def.postgres ? postgresConfig : {}),
    ...(def.outbox ? outboxConfig : {}),
    ...authConfig,
    ...def.config,
  };
}

/** The kernel's own settings, which every service's `ctx.config` also holds. */
export type KernelSettings = ConfigOf<typeof baseConfig> &
  ConfigOf<typeof authConfig> &
  Partial<ConfigOf<typeof kafkaConfig> & ConfigOf<typeof postgresConfig> & ConfigOf<typeof outboxConfig>> & {
    httpPort: number;
  };

export interface StartOptions {
  env?: Record<string, string | undefined>;
  /** Values that win over the environment (command-line flags, tests). */
  overrides?: Record<string, string | undefined>;
  /** `serve`: everything runs. `tool`: routes and consumers are registered but nothing listens or
   * consumes (CLI commands such as `dlq` and `openapi`). */
  mode?: 'serve' | 'tool';
  /** Handle SIGTERM/SIGINT and exit when stopped (the CLI); off in tests. */
  signals?: boolean;
  logger?: Logger;
}

export interface RunningService<C, R> {
  readonly ctx: ServiceContext<C>;
  readonly result: R;
  /** The bound port (0 in `tool` mode). */
  readonly port: number;
  readonly url: string;
  readonly http: HttpServer;
  readonly consumerGroups: ConsumerGroup[];
  stop(reason?: string): Promise<void>;
}

/**
 * Starts a service: validated config → logger, metrics, HTTP → database (migrated) → Kafka →
 * `start(ctx)` → topics → consumers and the outbox relay → listen. A failure on the way stops what
 * had started and rethrows. Shutdown runs in phases: intake (not ready, stop consuming, stop
 * accepting) → drain (in-flight requests and batches finish) → flush (the outbox) → close.
 */
export async function startService<S extends ConfigSpec, R>(
  def: ServiceDefinition<S, R>,
  opts: StartOptions = {},
): Promise<RunningService<ConfigOf<S> & KernelSettings, R>> {
  const spec = serviceConfigSpec(def as unknown as ServiceDefinition);
  const config = loadConfig(spec, opts.env ?? process.env, opts.overrides ?? {}) as ConfigOf<S> & KernelSettings;
  const problems = def.check?.(config) ?? [];
  if (problems.length > 0) throw configError(problems);

  const mode = opts.mode ?? 'serve';
  const logger = opts.logger ?? createLogger(def.name, config.logLevel);
  const logLevels = logLevelsOf(logger, config.logLevels);
  // Before the HTTP server and consumers exist: they look at `tracing().enabled` when built.
  const tracer = startTracing(def.name, config, { 'service.instance.id': config.instance });
  const registry = createRegistry(def.name);
  const shutdown: Shutdown = createShutdown(logger, {
    timeoutMs: config.shutdownTimeout,
    signals: opts.signals ?? false,
    exit: opts.signals ?? false,
  });
  const readiness = new Readiness();
  const http = await createHttpServer({
    service: def.name,
    version: def.version ?? '1.0.0',
    description: def.description,
    logger,
    registry,
    readiness,
    bodyLimit: config.httpBodyLimit,
    trustProxy: config.httpTrustProxy,
  });
  let httpClosing: Promise<void> | undefined;
  shutdown.add('intake', 'http: stop accepting', () => {
    readiness.phase = 'stopping';
    httpClosing = http.close();
  });
  shutdown.add('drain', 'http: in-flight requests', () => httpClosing ?? http.close());
  if (tracer.enabled) shutdown.add('close', 'tracing: send buffered spans', () => tracer.flush());

  const stopAll = async (reason: string) => {
    await shutdown.run(reason);
  };

  try {
    let pool: Pool | undefined;
    if (def.postgres && config.databaseUrl) {
      await migrate(config.databaseUrl, KERNEL_MIGRATIONS, 'kernel_migrations', logger);
      await migrate(config.databaseUrl, def.postgres.migrations, 'migrations', logger);
      const p = createPool({
        url: config.databaseUrl,
        max: config.databasePoolMax ?? 10,
        application: `${def.name}-${config.instance}`,
        logger,
        statementTimeoutMs: config.databaseStatementTimeout ?? 10_000,
      });
      pool = p;
      readiness.add('postgres', () => pingDb(p));
      shutdown.add('close', 'postgres pool', () => p.end());
    }

    let kafka: KafkaKit | undefined;
    if (def.kafka && config.kafkaBrokers) {
      const k = new KafkaKit({
        brokers: config.kafkaBrokers,
        clientId: `${def.name}-${config.instance}`,
        logger,
        createTopics: config.kafkaCreateTopics ?? true,
        partitions: config.kafkaTopicPartitions ?? 6,
      });
      kafka = k;
      shutdown.add('close', 'kafka clients', () => k.close());
      await k.assertReachable();
      readiness.add('kafka', k.readinessCheck);
    }

    const outbox = def.outbox ? new Outbox(`/${def.name}`) : undefined;
    const metrics = kafka ? consumerMetrics(registry) : undefined;
    const groups = new Map<string, ConsumerGroup>();
    const topics: TopicSpec[] = [];
    let auth: Authenticator | undefined;
    let sharedProducer: ReturnType<KafkaKit['producer']> | undefined;
    const need = <T>(value: T | undefined, what: string, flag: string): T => {
      if (value === undefined) throw new Error(`${def.name}: ${what} needs \`${flag}: …\` in defineService`);
      return value;
    };

    const ctx: ServiceContext<ConfigOf<S> & KernelSettings> = {
      name: def.name,
      instance: config.instance,
      config,
      logger,
      registry,
      http,
      readiness,
      onShutdown: (phase, name, hook) => shutdown.add(phase, name, hook),
      get db() {
        return need(pool, 'ctx.db', 'postgres');
      },
      tx: (fn) => withTransaction(need(pool, 'ctx.tx', 'postgres'), fn),
      get kafka() {
        return need(kafka, 'ctx.kafka', 'kafka');
      },
      get outbox() {
        return need(outbox, 'ctx.outbox', 'outbox');
      },
      get auth() {
        auth ??= new Authenticator({
          jwksUrl: config.authJwksUrl,
          issuer: config.authIssuer,
          audience: config.authAudience,
          gatewayJwksUrl: config.authGatewayJwksUrl,
        });
        return auth;
      },
      consume<T extends KafkaTopicContract>(spec: ConsumerSpec<T>) {
        const c = spec as unknown as ConsumerSpec;
        const k = need(kafka, 'ctx.consume', 'kafka');
        const name = c.group ?? def.name;
        let g = groups.get(name);
        if (!g) {
          g = new ConsumerGroup({
            kafka: k.client,
            group: name,
            pool,
            producer: () => {
              sharedProducer ??= k.producer();
              return sharedProducer;
            },
            logger: logLevels.component('consumer').child({ group: name }),
            metrics: metrics!,
            sessionTimeoutMs: config.kafkaSessionTimeout ?? 10_000,
          });
          groups.set(name, g);
        }
        g.add(c);
        topics.push(c.topic, dlqTopic(c.topic));
      },
      produces(...t) {
        topics.push(...t);
      },
    };

    serveLogLevels(ctx, logLevels);
    const result = await def.start(ctx);
    if (kafka) await kafka.ensureTopics(topics);

    if (mode === 'serve') {
      for (const g of groups.values()) {
        readiness.add(`consumer:${g.group}`, g.readinessCheck);
        shutdown.add('intake', `consumer ${g.group}`, () => g.stop());
        await g.start();
      }
      if (outbox && kafka && pool && config.databaseUrl) {
        const relay = new OutboxRelay({
          url: config.databaseUrl,
          pool,
          producer: await kafka.producer(),
          logger: logLevels.component('outbox-relay'),
          registry,
          batchSize: config.outboxBatch ?? 500,
          pollMs: config.outboxPoll ?? 1000,
          retentionMs: config.outboxRetention ?? 86_400_000,
        });
        relay.start();
        shutdown.add('flush', 'outbox: publish what is pending', async () => {
          await relay.stop();
        });
      }
      await http.listen({ port: config.httpPort, host: config.bindHost });
      readiness.phase = 'running';
    } else {
      await http.ready();
    }
    const address = http.server.address();
    const port = mode === 'serve' && address && typeof address === 'object' ? address.port : 0;
    const url = `http://${config.bindHost === '0.0.0.0' ? '127.0.0.1' : config.bindHost}:${port}`;
    if (mode === 'serve') logger.info({ url, instance: config.instance }, `${def.name} ready`);
    return {
      ctx,
      result,
      port,
      url,
      http,
      consumerGroups: [...groups.values()],
      stop: (reason = 'stop') => stopAll(reason),
    };
  } catch (err) {
    await stopAll('start failed').catch(() => {});
    throw err;
  }
}
