import { DEFAULT_MAX_FUTURE_SKEW_MS } from '@wattstream/contracts';
import {
  authConfig,
  bytes,
  type ConfigOf,
  DEFAULT_SERVICE_PORTS,
  duration,
  hostnameId,
  int,
  num,
  oneOf,
  optionalStr,
  port,
  sharedConfig,
  str,
  url,
} from '@wattstream/platform';

const MQTT_KEEPALIVE_MAX_S = 65_535; // the 16-bit Keep Alive field [MQTT-3.1.2.10]

/** The Kafka write path, shared by the embedded broker and the shared-subscription mode. */
export const kafkaWriteConfig = {
  kafkaLinger: duration('KAFKA_LINGER', {
    default: '2ms',
    max: 1000,
    description: 'how long the first publish of a Kafka batch waits for others to join it',
  }),
  kafkaMaxBatchBytes: bytes('KAFKA_MAX_BATCH_BYTES', {
    default: '1MiB',
    min: 1024,
    max: 64 * 1024 * 1024,
    description: 'uncompressed bytes of one Kafka produce request (keep ≤ the topic max.message.bytes, 1 MiB)',
  }),
  kafkaMaxBatchRecords: int('KAFKA_MAX_BATCH_RECORDS', {
    default: 2000,
    min: 1,
    max: 100_000,
    description: 'records of one Kafka produce request',
  }),
  kafkaMaxPendingBytes: bytes('KAFKA_MAX_PENDING_BYTES', {
    default: '32MiB',
    min: 64 * 1024,
    description:
      'bytes accepted but not yet acknowledged by Kafka; beyond it publishes wait and sockets are not read (backpressure)',
  }),
  kafkaCompression: oneOf('KAFKA_COMPRESSION', ['lz4', 'gzip', 'none'] as const, {
    default: 'lz4',
    description: 'record batch compression',
  }),
  kafkaRetryMax: duration('KAFKA_RETRY_MAX', {
    default: '5s',
    min: 10,
    description: 'longest pause between retries of a failed produce (backoff doubles from 100 ms)',
  }),
  topicPartitions: int('INGEST_TOPIC_PARTITIONS', {
    default: 6,
    min: 1,
    max: 1000,
    description: 'partitions of the topics ingest creates when missing',
  }),
  instance: str('INGEST_INSTANCE', {
    default: hostnameId('ingest'),
    pattern: /^[A-Za-z0-9_.-]{1,64}$/,
    description:
      'name of this replica (default: the host name): Kafka client ids, MQTT client ids in shared mode, ce_source of rejections',
  }),
};

/** `ingest serve`. */
export const serveConfig = {
  kafkaBrokers: sharedConfig.kafkaBrokers,
  dataDir: sharedConfig.dataDir,
  logLevel: sharedConfig.logLevel,
  bindHost: sharedConfig.bindHost,
  ...authConfig,
  ...kafkaWriteConfig,
  mode: oneOf('INGEST_MODE', ['embedded', 'shared'] as const, {
    default: 'embedded',
    description: '`embedded`: the aedes MQTT endpoint; `shared`: consume `$share/…` from an external broker',
  }),
  httpPort: port('INGEST_HTTP_PORT', {
    default: DEFAULT_SERVICE_PORTS.ingestHttp,
    allowZero: true,
    description: 'metrics and health (HTTP)',
  }),
  mqttHost: str('MQTT_HOST', {
    default: '127.0.0.1',
    description: 'address the MQTT listeners bind to (loopback on a developer machine; 0.0.0.0 where edges connect)',
  }),
  mqttPort: port('MQTT_PORT', {
    default: DEFAULT_SERVICE_PORTS.mqtt,
    allowZero: true,
    description: 'MQTT 3.1.1 over TCP',
  }),
  mqttWsPort: port('MQTT_WS_PORT', {
    default: DEFAULT_SERVICE_PORTS.mqttWs,
    allowZero: true,
    description: 'MQTT over WebSocket (any path)',
  }),
  mqttTlsPort: port('MQTT_TLS_PORT', {
    default: DEFAULT_SERVICE_PORTS.mqttTls,
    allowZero: true,
    description: 'MQTT over TLS, opened only when MQTT_TLS_CERT and MQTT_TLS_KEY are set',
  }),
  mqttTlsCert: optionalStr('MQTT_TLS_CERT', 'PEM certificate (chain) file for the TLS listener'),
  mqttTlsKey: optionalStr('MQTT_TLS_KEY', 'PEM private key file for the TLS listener'),
  maxPacketSize: bytes('MQTT_MAX_PACKET_SIZE', {
    default: '256KiB',
    min: 1024,
    max: 256 * 1024 * 1024,
    description: 'largest MQTT packet accepted (fixed header included); a larger one closes its connection',
  }),
  keepaliveMin: duration('MQTT_KEEPALIVE_MIN', {
    default: '5s',
    min: 1000,
    max: MQTT_KEEPALIVE_MAX_S * 1000,
    description: 'a shorter client Keep Alive is raised to this (server-side timeout only)',
  }),
  keepaliveMax: duration('MQTT_KEEPALIVE_MAX', {
    default: '15m',
    min: 1000,
    max: MQTT_KEEPALIVE_MAX_S * 1000,
    description: 'a longer (or zero) client Keep Alive is lowered to this; silent clients are dropped after 1.5×',
  }),
  connectTimeout: duration('MQTT_CONNECT_TIMEOUT', {
    default: '10s',
    min: 100,
    description: 'how long a new connection may take to send CONNECT',
  }),
  maxConnections: int('MQTT_MAX_CONNECTIONS', {
    default: 10_000,
    min: 1,
    description: 'connected clients; beyond it CONNACK 3 (server unavailable)',
  }),
  // An edge publishes one batch per device every 250 ms: a studio edge with 50 sensors sends 200/s,
  // and after an outage it replays its backlog; 1000/s drains 10,000 queued batches in ~8 s.
  publishRate: num('MQTT_PUBLISH_RATE', {
    default: 1000,
    min: 0.001,
    description: 'publishes per second per edge; faster publishers are slowed down (their socket is not read)',
  }),
  publishBurst: int('MQTT_PUBLISH_BURST', {
    default: 2000,
    min: 1,
    description: 'publishes an edge may send at once before MQTT_PUBLISH_RATE applies',
  }),
  maxFutureSkew: duration('INGEST_MAX_FUTURE_SKEW', {
    default: `${DEFAULT_MAX_FUTURE_SKEW_MS}ms`,
    max: 86_400_000,
    description:
      'a batch with a sample ts further ahead of its receipt is rejected (WS_CONTRACT_TS_IN_FUTURE): a wrong edge clock',
  }),
  // The edge's queue is bounded by bytes, not age (EDGE_QUEUE_BUDGET 512 MiB holds days of one
  // sensor, hours of a studio): a replay after an outage may carry samples of any age, so none is
  // refused by default.
  maxSampleAge: duration('INGEST_MAX_SAMPLE_AGE', {
    default: '0',
    description:
      'a batch with a sample older than this at its receipt is rejected (WS_CONTRACT_TS_TOO_OLD); 0 = no bound, for store-and-forward replays',
  }),
  upstreamUrl: url('MQTT_UPSTREAM_URL', {
    default: `mqtt://127.0.0.1:${DEFAULT_SERVICE_PORTS.mqtt}`,
    protocols: ['mqtt:', 'mqtts:', 'ws:', 'wss:'],
    description: 'shared mode: the external broker',
  }),
  upstreamUsername: optionalStr('MQTT_UPSTREAM_USERNAME', 'shared mode: username at the external broker'),
  upstreamPassword: optionalStr('MQTT_UPSTREAM_PASSWORD', 'shared mode: password at the external broker'),
  upstreamGroup: str('MQTT_UPSTREAM_GROUP', {
    default: 'ingest',
    pattern: /^[A-Za-z0-9_-]{1,64}$/,
    description: 'shared mode: subscription group, `$share/<group>/v1/samples/#`',
  }),
  upstreamConnections: int('MQTT_UPSTREAM_CONNECTIONS', {
    default: 4,
    min: 1,
    max: 64,
    description: 'shared mode: connections per replica (each handles one message at a time until Kafka acks it)',
  }),
  upstreamEdgeId: str('MQTT_UPSTREAM_EDGE_ID', {
    default: 'unknown',
    pattern: /^[A-Za-z0-9_-]{1,64}$/,
    description: 'shared mode: edgeId recorded when a publish carries no `edgeId` MQTT 5 user property',
  }),
};
export type ServeConfig = ConfigOf<typeof serveConfig>;

/** `ingest sink`. */
export const sinkConfig = {
  kafkaBrokers: sharedConfig.kafkaBrokers,
  questdbHttp: sharedConfig.questdbHttp,
  logLevel: sharedConfig.logLevel,
  bindHost: sharedConfig.bindHost,
  httpPort: port('SINK_HTTP_PORT', {
    default: DEFAULT_SERVICE_PORTS.sinkHttp,
    allowZero: true,
    description: 'metrics and health (HTTP)',
  }),
  group: str('SINK_GROUP', {
    default: 'ingest-questdb-sink',
    pattern: /^[A-Za-z0-9_.-]{1,128}$/,
    description: 'Kafka consumer group of the sink',
  }),
  retryMax: duration('SINK_RETRY_MAX', {
    default: '10s',
    min: 10,
    description: 'longest pause between retries while QuestDB is down (backoff doubles from 200 ms)',
  }),
  requestTimeout: duration('SINK_REQUEST_TIMEOUT', {
    default: '10s',
    min: 100,
    description: 'timeout of one ILP/HTTP write',
  }),
  instance: {
    ...kafkaWriteConfig.instance,
    description: 'name of this replica (default: the host name): its Kafka client id',
  },
};
export type SinkConfig = ConfigOf<typeof sinkConfig>;
