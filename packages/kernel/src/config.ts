import {
  bool,
  bytes,
  type ConfigSpec,
  DEFAULT_SERVICE_PORTS,
  duration,
  hostnameId,
  int,
  sharedConfig,
  str,
  tracingConfig,
  url,
} from '@wattstream/platform';

/** Settings every service has. */
export const baseConfig = {
  logLevel: sharedConfig.logLevel,
  logLevels: sharedConfig.logLevels,
  bindHost: sharedConfig.bindHost,

  instance: str('SERVICE_INSTANCE', {
    default: hostnameId('instance'),
    pattern: /^[A-Za-z0-9_.-]{1,64}$/,
    description: 'name of this replica (default: the host name): Kafka client ids, logs',
  }),
  shutdownTimeout: duration('SHUTDOWN_TIMEOUT', {
    default: '20s',
    min: 1000,
    description: 'how long a graceful stop may take before the process exits anyway',
  }),
  httpBodyLimit: bytes('HTTP_BODY_LIMIT', {
    default: '256KiB',
    min: 1024,
    max: 64 * 1024 * 1024,
    description: 'largest request body accepted (413 beyond); routes such as uploads set their own',
  }),
  ...tracingConfig,
  httpTrustProxy: bool('HTTP_TRUST_PROXY', {
    default: false,
    description: 'trust X-Forwarded-* from the proxy in front (the gateway) for client addresses',
  }),
} satisfies ConfigSpec;

export const kafkaConfig = {
  kafkaBrokers: sharedConfig.kafkaBrokers,
  kafkaCreateTopics: bool('KAFKA_CREATE_TOPICS', {
    default: true,
    description:
      'create the topics this service uses when missing (off in a cluster, where KafkaTopic resources own them)',
  }),
  kafkaSessionTimeout: duration('KAFKA_SESSION_TIMEOUT', {
    default: '10s',
    min: 6000,
    max: 300_000,
    description:
      'consumer group session timeout: how long a dead replica holds its partitions before they move (heartbeats every tenth of it)',
  }),
  kafkaTopicPartitions: int('KAFKA_TOPIC_PARTITIONS', {
    default: 6,
    min: 1,
    max: 1000,
    description: 'partitions of topics this service creates',
  }),
} satisfies ConfigSpec;

export const postgresConfig = {
  databaseUrl: url('DATABASE_URL', {
    protocols: ['postgres:', 'postgresql:'],
    description: "this service's own database (postgres://role:password@host:port/db)",
  }),
  databasePoolMax: int('DATABASE_POOL_MAX', { default: 10, min: 1, max: 500, description: 'connections in the pool' }),
  databaseStatementTimeout: duration('DATABASE_STATEMENT_TIMEOUT', {
    default: '10s',
    min: 100,
    description: 'a statement running longer is cancelled by the server',
  }),
} satisfies ConfigSpec;

export const outboxConfig = {
  outboxPoll: duration('OUTBOX_POLL', {
    default: '1s',
    min: 10,
    description: 'how often the relay looks for unsent events when no NOTIFY woke it',
  }),
  outboxBatch: int('OUTBOX_BATCH', { default: 500, min: 1, max: 10_000, description: 'events per Kafka send' }),
  outboxRetention: duration('OUTBOX_RETENTION', {
    default: '24h',
    min: 0,
    description: 'how long published events stay in the outbox table for inspection',
  }),
} satisfies ConfigSpec;

export const authConfig = {
  authJwksUrl: url('AUTH_JWKS_URL', {
    default: `http://127.0.0.1:${DEFAULT_SERVICE_PORTS.users}/.well-known/jwks.json`,
    protocols: ['http:', 'https:'],
    description: "the users service's public keys, which verify access tokens",
  }),
  authIssuer: str('AUTH_ISSUER', { default: 'wattstream', description: 'iss that access tokens must carry' }),
  authAudience: str('AUTH_AUDIENCE', { default: 'wattstream:user', description: 'aud that access tokens must carry' }),
  authGatewayJwksUrl: url('AUTH_GATEWAY_JWKS_URL', {
    required: false,
    protocols: ['http:', 'https:'],
    description:
      "the gateway's public keys (/.well-known/gateway-jwks.json); when set, the signed identity header the gateway forwards (x-wattstream-identity) authenticates requests too",
  }),
} satisfies ConfigSpec;
