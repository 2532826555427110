import { hostname } from 'node:os';
import { hostPort, hostPortList, oneOf, path, str, url } from './config.js';
import { componentLevelsField, LOG_LEVELS } from './log-levels.js';

/** Infrastructure defaults: the ports `pnpm infra up` uses (not the standard 9092/9000/8812/5432/6379). */
export const DEFAULT_PORTS = {
  kafka: 19092,
  kafkaController: 19093,
  questdbHttp: 19000,
  questdbPg: 18812,
  questdbIlpTcp: 19009,
  questdbHttpMin: 19003,
  postgres: 15432,
  redis: 16379,
} as const;

/** Default ports of the services: each service's own setting, and where `pnpm pipeline up` runs it. */
export const DEFAULT_SERVICE_PORTS = {
  mqtt: 1883,
  mqttWs: 8083,
  mqttTls: 8883,
  ingestHttp: 9101,
  sinkHttp: 9102,
  streamHttp: 9103,
  live: 8090,
  edgeHttp: 9104,
  /** the live server's operations port (its WebSocket port is `live`) */
  liveHttp: 9105,

  gateway: 8080,
  users: 8101,
  training: 8102,
  tracking: 8103,
  social: 8104,
  notifications: 8105,
  inventory: 8106,
  integrations: 8107,
  analytics: 8108,
  legacy: 8109,
  provider: 8110,
  web: 8111,
  /** `pnpm pipeline up --observe`: Prometheus' UI and API */
  prometheus: 9190,
  /** `pnpm pipeline up --observe`: Zipkin's span intake, API and UI */
  zipkin: 9411,
} as const;

/** This host's name as an id (1–64 chars of [A-Za-z0-9_-]): the default name of a replica. */
export function hostnameId(fallback: string, prefix = ''): string {
  return `${prefix}${hostname().replace(/[^A-Za-z0-9_-]/g, '-')}`.slice(0, 64) || fallback;
}

export { LOG_LEVELS } from './log-levels.js';

/** Settings every service reads under the same names (foundation convention). */
export const sharedConfig = {
  kafkaBrokers: hostPortList('KAFKA_BROKERS', {
    default: `127.0.0.1:${DEFAULT_PORTS.kafka}`,
    description: 'Kafka bootstrap servers, comma-separated host:port',
  }),
  questdbHttp: url('QUESTDB_HTTP', {
    default: `http://127.0.0.1:${DEFAULT_PORTS.questdbHttp}`,
    protocols: ['http:', 'https:'],
    description: 'QuestDB HTTP endpoint (SQL /exec and ILP over HTTP)',
  }),
  questdbPg: hostPort('QUESTDB_PG', {
    default: `127.0.0.1:${DEFAULT_PORTS.questdbPg}`,
    description: 'QuestDB PostgreSQL wire endpoint',
  }),
  postgresUrl: url('POSTGRES_URL', {
    default: `postgres://127.0.0.1:${DEFAULT_PORTS.postgres}/postgres`,
    protocols: ['postgres:', 'postgresql:'],
    description:
      'PostgreSQL URL with credentials: a service gets its own database URL; `pnpm infra up` prints the superuser URL',
  }),
  redisUrl: url('REDIS_URL', {
    default: `redis://127.0.0.1:${DEFAULT_PORTS.redis}`,
    protocols: ['redis:', 'rediss:'],
    description: 'Redis URL, redis://:<password>@host:port',
  }),
  dataDir: path('DATA_DIR', { default: '.data', description: 'where this component keeps local state' }),
  logLevel: oneOf('LOG_LEVEL', LOG_LEVELS, { default: 'info', description: 'pino log level' }),
  logLevels: componentLevelsField(),
  // Loopback on a developer machine: /metrics and the health endpoints are nobody else's business.
  // In a cluster the manifests set 0.0.0.0 and a NetworkPolicy lets only Prometheus reach /metrics.
  bindHost: str('BIND_HOST', {
    default: '127.0.0.1',
    pattern: /^[A-Za-z0-9.:-]{1,253}$/,
    description: 'address the HTTP listeners bind to (ops endpoint, live server); 0.0.0.0 in a cluster',
  }),
};
