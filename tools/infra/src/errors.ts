import { WattstreamError } from '@wattstream/platform';

export const InfraErrorCode = {
  NoJava: 'WS_INFRA_NO_JAVA',
  JavaTooOld: 'WS_INFRA_JAVA_TOO_OLD',
  NoMaven: 'WS_INFRA_NO_MAVEN',
  PortTaken: 'WS_INFRA_PORT_TAKEN',
  ProvisionFailed: 'WS_INFRA_PROVISION_FAILED',
  StartFailed: 'WS_INFRA_START_FAILED',
  StartTimeout: 'WS_INFRA_START_TIMEOUT',
  NoPostgres: 'WS_INFRA_NO_POSTGRES',
  NoRedis: 'WS_INFRA_NO_REDIS',
  /** No prometheus / promtool binary (Debian's prometheus package). */
  NoPrometheus: 'WS_INFRA_NO_PROMETHEUS',
  /** Running as root: Postgres needs an unprivileged user (and setpriv) to run as. */
  PostgresUser: 'WS_INFRA_POSTGRES_USER',
  BadServiceName: 'WS_INFRA_BAD_SERVICE_NAME',
  DatabaseSetup: 'WS_INFRA_DATABASE_SETUP',
  /** Redis answered a command with an error reply (the message is Redis' own). */
  RedisReply: 'WS_INFRA_REDIS_REPLY',
} as const;

export const infraError = (code: string, message: string, cause?: unknown) =>
  new WattstreamError(code, message, cause === undefined ? {} : { cause });
