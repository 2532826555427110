import { DEFAULT_MAX_FUTURE_SKEW_MS } from '@wattstream/contracts';
import {
  authConfig,
  bool,
  bytes,
  DEFAULT_SERVICE_PORTS,
  duration,
  hostnameId,
  int,
  list,
  oneOf,
  port,
  sharedConfig,
  str,
} from '@wattstream/platform';

const common = {
  kafkaBrokers: sharedConfig.kafkaBrokers,
  dataDir: sharedConfig.dataDir,
  logLevel: sharedConfig.logLevel,
  bindHost: sharedConfig.bindHost,
  topicPrefix: str('STREAM_TOPIC_PREFIX', {
    default: '',
    pattern: /^[A-Za-z0-9._-]*$/,
    description: 'prefix for every topic name (a namespace on a shared cluster); empty in production',
  }),
  partitions: int('STREAM_PARTITIONS', {
    default: 6,
    min: 1,
    max: 1000,
    description: 'partitions of the topics this process creates when they are missing',
  }),
};

/** `pnpm stream work` */
export const workerConfigSpec = {
  ...common,
  httpPort: port('STREAM_HTTP_PORT', {
    default: DEFAULT_SERVICE_PORTS.streamHttp,
    allowZero: true,
    description: 'metrics and health',
  }),
  groupId: str('STREAM_GROUP_ID', { default: 'stream-worker', description: 'Kafka consumer group of the workers' }),
  instanceId: str('STREAM_INSTANCE_ID', {
    default: hostnameId('worker'),
    pattern: /^[A-Za-z0-9_-]{1,64}$/,
    description:
      'name of this worker in logs and Kafka client ids (transactional ids are per input partition, STREAM_GROUP_ID-p<n>)',
  }),
  sessionGapMs: duration('STREAM_SESSION_GAP', {
    default: '5m',
    min: 1000,
    description: 'silence that ends a training session (event time, or arrival time when the athlete stops)',
  }),
  latenessMs: duration('STREAM_ALLOWED_LATENESS', {
    default: '5s',
    max: 60_000,
    description: 'how far out of order a sample may arrive and still count',
  }),
  maxFutureSkewMs: duration('STREAM_MAX_FUTURE_SKEW', {
    default: `${DEFAULT_MAX_FUTURE_SKEW_MS}ms`,
    description:
      'a sample further ahead of its arrival (record timestamp) is ignored and counted, so a wrong clock cannot move event time; keep ≥ INGEST_MAX_FUTURE_SKEW',
  }),
  statsIntervalMs: duration('STREAM_STATS_INTERVAL', {
    default: '250ms',
    min: 250,
    description: 'minimum time between two tracking.stats.updated records of one athlete (≤ 4/s)',
  }),
  commitIntervalMs: duration('STREAM_COMMIT_INTERVAL', {
    default: '1s',
    min: 10,
    description: 'how often state, session events and offsets are committed (one Kafka transaction)',
  }),
  idleStateTtlMs: duration('STREAM_IDLE_STATE_TTL', {
    default: '6h',
    description: 'an athlete without a session is forgotten after this long without input',
  }),
  kafkaSessionTimeoutMs: duration('STREAM_KAFKA_SESSION_TIMEOUT', {
    default: '30s',
    min: 6000,
    description: 'consumer group session timeout: how long a dead worker holds its partitions',
  }),
  transactionTimeoutMs: duration('STREAM_TRANSACTION_TIMEOUT', {
    default: '30s',
    min: 1000,
    description: 'Kafka transaction timeout: how long an open transaction of a dead worker blocks readers',
  }),
  fetchMaxWaitMs: duration('STREAM_FETCH_MAX_WAIT', {
    default: '100ms',
    description: 'longest a fetch waits for new records (latency vs. batch size)',
  }),
};

/** `pnpm stream live` */
export const liveConfigSpec = {
  ...common,
  ...authConfig,
  httpPort: port('LIVE_HTTP_PORT', {
    default: DEFAULT_SERVICE_PORTS.liveHttp,
    allowZero: true,
    description: 'operations: /metrics, /healthz, /readyz (also answered on LIVE_PORT)',
  }),
  livePort: port('LIVE_PORT', {
    default: DEFAULT_SERVICE_PORTS.live,
    allowZero: true,
    description: 'WebSocket /v1/live, the groups API and the dashboard',
  }),
  transport: oneOf('LIVE_TRANSPORT', ['auto', 'uws', 'ws'] as const, {
    default: 'auto',
    description: 'auto: uWebSockets.js when its native binary loads, else ws (logged); uws: fail without it',
  }),
  origins: list('LIVE_ALLOWED_ORIGINS', {
    default: '',
    description:
      'Origins allowed to open the WebSocket, comma-separated (`*` allows any); the server itself is always allowed. ' +
      'Clients that send no Origin (not browsers) are allowed',
  }),
  historyMs: duration('LIVE_HISTORY', { default: '60s', description: 'how far back `since` can replay' }),
  leaderboardIntervalMs: duration('LIVE_LEADERBOARD_INTERVAL', {
    default: '1s',
    min: 1000,
    description: 'minimum time between two leaderboards of a group',
  }),
  maxBufferBytes: bytes('LIVE_MAX_BUFFER', {
    default: '1MiB',
    min: 1024,
    description: 'bytes a client may have unread; over it the client is disconnected (4408)',
  }),
  softBufferBytes: bytes('LIVE_SOFT_BUFFER', {
    default: '64KiB',
    min: 0,
    description: 'above this many unread bytes a client gets only the latest frame per channel',
  }),
  slowClientTimeoutMs: duration('LIVE_SLOW_CLIENT_TIMEOUT', {
    default: '30s',
    min: 100,
    description: 'a client that stays above LIVE_SOFT_BUFFER this long is disconnected (4408)',
  }),
  authTimeoutMs: duration('LIVE_AUTH_TIMEOUT', { default: '5s', description: 'time to send the auth message' }),
  maxSubscriptions: int('LIVE_MAX_SUBSCRIPTIONS', { default: 200, min: 1, description: 'channels per connection' }),
  maxPayloadBytes: bytes('LIVE_MAX_MESSAGE', { default: '16KiB', description: 'largest client message' }),
  instanceId: str('LIVE_INSTANCE_ID', {
    default: hostnameId('live'),
    description: 'names this node in its (commit-less) consumer group ids',
  }),
  metricsEnabled: bool('LIVE_METRICS', {
    default: true,
    description: 'also serve /metrics on LIVE_PORT (it is always on LIVE_HTTP_PORT)',
  }),
};

/** `pnpm stream token` */
export const tokenConfigSpec = {
  dataDir: sharedConfig.dataDir,
  logLevel: sharedConfig.logLevel,
  ...authConfig,
};
