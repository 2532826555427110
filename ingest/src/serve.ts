import { kafkaTopics } from '@wattstream/contracts';
import {
  createKafka,
  createLogger,
  createProducer,
  createRegistry,
  describeCluster,
  ensureTopics,
  type Logger,
  loadTokenKeys,
  type OpsServer,
  type Registry,
  startOpsServer,
} from '@wattstream/platform';
import type { ServeConfig } from './config.js';
import { IngestErrorCode, ingestError } from './errors.js';
import { KafkaWriter } from './kafka-writer.js';
import { createIngestMetrics, type IngestMetrics } from './metrics.js';
import { type EmbeddedBroker, startEmbeddedBroker } from './mqtt/broker.js';
import { RecordBuilder } from './records.js';
import { startUpstream, type Upstream } from './upstream.js';

export interface Ingest {
  readonly config: ServeConfig;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly metrics: IngestMetrics;
  readonly writer: KafkaWriter;
  readonly ops: OpsServer;
  /** Embedded mode. */
  readonly broker: EmbeddedBroker | undefined;
  /** Shared-subscription mode. */
  readonly upstream: Upstream | undefined;
  readonly ports: { http: number; mqtt?: number; ws?: number; tls?: number | undefined };
  /** Graceful stop: intake → flush → close. */
  close(): Promise<void>;
}

/** Settings that are each valid but cannot work together. */
export function checkConflicts(config: ServeConfig): void {
  if ((config.mqttTlsCert === undefined) !== (config.mqttTlsKey === undefined)) {
    throw ingestError(
      IngestErrorCode.ConfigConflict,
      'MQTT_TLS_CERT and MQTT_TLS_KEY must be set together (or neither, for no TLS listener)',
    );
  }
  if (config.keepaliveMin > config.keepaliveMax) {
    throw ingestError(IngestErrorCode.ConfigConflict, 'MQTT_KEEPALIVE_MIN must not exceed MQTT_KEEPALIVE_MAX');
  }
}

/** How long a graceful stop waits for Kafka to acknowledge what was already accepted. */
const FLUSH_TIMEOUT_MS = 10_000;

/**
 * `ingest serve`: creates the topics, connects the idempotent producer, then opens the embedded
 * MQTT endpoint (or, in shared mode, the upstream subscriptions) and the ops endpoint.
 */
export async function startIngest(config: ServeConfig, opts: { logger?: Logger } = {}): Promise<Ingest> {
  const logger = opts.logger ?? createLogger('ingest', config.logLevel);
  checkConflicts(config);
  const registry = createRegistry('ingest');
  const metrics = createIngestMetrics(registry);
  const instance = config.instance;
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: `ingest-${instance}`, logger });

  await describeCluster(kafka); // WS_KAFKA_UNAVAILABLE naming KAFKA_BROKERS when it is not there
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, [kafkaTopics.metricsReceived, kafkaTopics.metricsRejected], {
      partitions: config.topicPartitions,
      logger,
    });
  } finally {
    await admin.disconnect();
  }
  // Few client-level retries: the writer retries failed requests itself, forever, with its own
  // backoff and metrics, holding the PUBACKs meanwhile.
  const producer = createProducer(kafka, { retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 } });
  await producer.connect();
  const writer = new KafkaWriter(producer, {
    lingerMs: config.kafkaLinger,
    maxBatchBytes: config.kafkaMaxBatchBytes,
    maxBatchRecords: config.kafkaMaxBatchRecords,
    maxPendingBytes: config.kafkaMaxPendingBytes,
    compression: config.kafkaCompression,
    retryMaxMs: config.kafkaRetryMax,
    logger: logger.child({ component: 'kafka-writer' }),
    metrics,
  });
  const records = new RecordBuilder(instance, { maxFutureSkewMs: config.maxFutureSkew, maxAgeMs: config.maxSampleAge });

  let broker: EmbeddedBroker | undefined;
  let upstream: Upstream | undefined;
  if (config.mode === 'embedded') {
    const keys = loadTokenKeys(config, config.dataDir, logger);
    broker = await startEmbeddedBroker({
      keys,
      writer,
      records,
      metrics,
      logger,
      host: config.mqttHost,
      mqttPort: config.mqttPort,
      wsPort: config.mqttWsPort,
      tlsPort: config.mqttTlsPort,
      tlsCert: config.mqttTlsCert,
      tlsKey: config.mqttTlsKey,
      maxPacketSize: config.maxPacketSize,
      keepaliveMinMs: config.keepaliveMin,
      keepaliveMaxMs: config.keepaliveMax,
      connectTimeoutMs: config.connectTimeout,
      maxConnections: config.maxConnections,
      publishRate: config.publishRate,
      publishBurst: config.publishBurst,
    });
  } else {
    upstream = startUpstream({
      url: config.upstreamUrl,
      username: config.upstreamUsername,
      password: config.upstreamPassword,
      group: config.upstreamGroup,
      clientIdPrefix: `ingest-${instance}`,
      connections: config.upstreamConnections,
      fallbackEdgeId: config.upstreamEdgeId,
      writer,
      records,
      metrics,
      logger,
    });
    logger.info(
      { url: config.upstreamUrl, group: config.upstreamGroup, connections: config.upstreamConnections },
      'shared-subscription mode: consuming from the external broker',
    );
  }

  const ops = await startOpsServer({ port: config.httpPort, host: config.bindHost, registry, logger });
  ops.addReadinessCheck('kafka', () =>
    writer.failing ? 'Kafka produce failing' : writer.stalled ? 'Kafka produce stalled' : true,
  );
  if (upstream) {
    const u = upstream;
    ops.addReadinessCheck('upstream', () => (u.connected() > 0 ? true : 'no connection to the upstream broker'));
  }

  let closing: Promise<void> | undefined;
  const stopIntake = async () => {
    await broker?.listeners.stopAccepting();
    await upstream?.stopIntake();
  };
  const flush = async () => {
    const flushed = await writer.close(FLUSH_TIMEOUT_MS);
    if (!flushed) logger.warn('Kafka did not acknowledge everything in time; those publishes were not acknowledged');
    // Let the PUBACKs of the last acknowledged publishes reach the sockets before they close.
    await new Promise((r) => setTimeout(r, 100));
  };
  const closeAll = async () => {
    await broker?.close();
    await upstream?.close();
    await producer.disconnect().catch(() => {});
    await ops.close();
  };

  return {
    config,
    logger,
    registry,
    metrics,
    writer,
    ops,
    broker,
    upstream,
    ports: {
      http: ops.port,
      ...(broker
        ? { mqtt: broker.listeners.ports.mqtt, ws: broker.listeners.ports.ws, tls: broker.listeners.ports.tls }
        : {}),
    },
    close: () => {
      closing ??= (async () => {
        await stopIntake();
        await flush();
        await closeAll();
      })();
      return closing;
    },
  };
}
