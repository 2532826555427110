import { kafkaTopics } from '@wattstream/contracts';
import { defineService, type RunningService, type ServiceContext, startService } from '@wattstream/kernel';
import { componentLogger, createProducer, loadTokenKeys, type Registry, withJwks } from '@wattstream/platform';
import { type ServeConfig, serveConfig } from './config.js';
import { IngestErrorCode } from './errors.js';
import { KafkaWriter } from './kafka-writer.js';
import { createIngestMetrics, type IngestMetrics } from './metrics.js';
import { type EmbeddedBroker, startEmbeddedBroker } from './mqtt/broker.js';
import { EdgeRegistry } from './mqtt/edge-registry.js';
import { RecordBuilder } from './records.js';
import { startUpstream, type Upstream } from './upstream.js';

/** What `ingest serve` runs: the writer and, by mode, the embedded broker or the upstream subscriptions. */
export interface IngestParts {
  readonly metrics: IngestMetrics;
  readonly writer: KafkaWriter;
  /** Embedded mode. */
  readonly broker: EmbeddedBroker | undefined;
  /** Shared-subscription mode. */
  readonly upstream: Upstream | undefined;
  readonly edges: EdgeRegistry;
}

/** Settings that are each valid but cannot work together (each problem names the variables). */
export function configConflicts(config: ServeConfig): string[] {
  const problems: string[] = [];
  if ((config.mqttTlsCert === undefined) !== (config.mqttTlsKey === undefined)) {
    problems.push('MQTT_TLS_CERT and MQTT_TLS_KEY must be set together (or neither, for no TLS listener)');
  }
  if (config.keepaliveMin > config.keepaliveMax) problems.push('MQTT_KEEPALIVE_MIN must not exceed MQTT_KEEPALIVE_MAX');
  return problems;
}

/** How long a graceful stop waits for Kafka to acknowledge what was already accepted. */
const FLUSH_TIMEOUT_MS = 10_000;

/**
 * `ingest serve`: creates its topics, connects the idempotent producer, follows the users service's
 * edge registry, then opens the embedded MQTT endpoint (or, in shared mode, the upstream
 * subscriptions). Edge credentials are verified against the users JWKS (tokens with a `kid`) or the
 * development key (`ingest token`). Shutdown: intake (listeners stop accepting) → flush (Kafka
 * acknowledges what was accepted, PUBACKs go out) → close (clients, producer).
 */
export const ingestService = defineService({
  name: 'ingest',
  description: 'MQTT edge endpoint: authenticated, validated batches into Kafka, acknowledged only after Kafka',
  port: serveConfig.httpPort,
  instance: serveConfig.instance,
  config: serveConfig,
  kafka: true,
  check: configConflicts,
  async start(ctx: ServiceContext<ServeConfig & { authJwksUrl: string }>): Promise<IngestParts> {
    const { config, logger } = ctx;
    const metrics = createIngestMetrics(ctx.registry);
    const topics = [kafkaTopics.metricsReceived, kafkaTopics.metricsRejected];
    ctx.produces(...topics, kafkaTopics.edgeUpdated);
    await ctx.kafka.ensureTopics([...topics, kafkaTopics.edgeUpdated], { partitions: config.topicPartitions });
    // Few client-level retries: the writer retries failed requests itself, forever, with its own
    // backoff and metrics, holding the PUBACKs meanwhile.
    const producer = createProducer(ctx.kafka.client, {
      retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 1000 },
    });
    await producer.connect();
    ctx.onShutdown('close', 'kafka producer', () => producer.disconnect().catch(() => {}));
    const writer = new KafkaWriter(producer, {
      lingerMs: config.kafkaLinger,
      maxBatchBytes: config.kafkaMaxBatchBytes,
      maxBatchRecords: config.kafkaMaxBatchRecords,
      maxPendingBytes: config.kafkaMaxPendingBytes,
      compression: config.kafkaCompression,
      retryMaxMs: config.kafkaRetryMax,
      logger: componentLogger(logger, 'kafka-writer'),
      metrics,
    });
    ctx.readiness.add('kafka-produce', () =>
      writer.failing ? 'Kafka produce failing' : writer.stalled ? 'Kafka produce stalled' : true,
    );
    ctx.onShutdown('flush', 'kafka writer', async () => {
      const flushed = await writer.close(FLUSH_TIMEOUT_MS);
      if (!flushed) logger.warn('Kafka did not acknowledge everything in time; those publishes were not acknowledged');
      // Let the PUBACKs of the last acknowledged publishes reach the sockets before they close.
      await new Promise((r) => setTimeout(r, 100));
    });
    const records = new RecordBuilder(config.instance, {
      maxFutureSkewMs: config.maxFutureSkew,
      maxAgeMs: config.maxSampleAge,
    });

    const edges = new EdgeRegistry();
    if (!(await edges.start(ctx.kafka.client, config.instance, logger))) {
      logger.warn({ topic: kafkaTopics.edgeUpdated.name }, 'edge registry not fully read within 10 s; starting anyway');
    }
    ctx.onShutdown('close', 'edge registry', () => edges.stop());

    let broker: EmbeddedBroker | undefined;
    let upstream: Upstream | undefined;
    if (config.mode === 'embedded') {
      const keys = withJwks(loadTokenKeys(config, config.dataDir, logger), config.authJwksUrl);
      const b = await startEmbeddedBroker({
        keys,
        registry: edges,
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
      broker = b;
      ctx.onShutdown('intake', 'mqtt listeners', () => b.listeners.stopAccepting());
      ctx.onShutdown('close', 'mqtt broker', () => b.close());
      logger.info({ ports: b.listeners.ports }, 'MQTT listening');
    } else {
      const u = startUpstream({
        url: config.upstreamUrl,
        username: config.upstreamUsername,
        password: config.upstreamPassword,
        group: config.upstreamGroup,
        clientIdPrefix: `ingest-${config.instance}`,
        connections: config.upstreamConnections,
        fallbackEdgeId: config.upstreamEdgeId,
        writer,
        records,
        metrics,
        logger,
      });
      upstream = u;
      ctx.readiness.add('upstream', () => (u.connected() > 0 ? true : 'no connection to the upstream broker'));
      ctx.onShutdown('intake', 'upstream subscriptions', () => u.stopIntake());
      ctx.onShutdown('close', 'upstream connections', () => u.close());
      logger.info(
        { url: config.upstreamUrl, group: config.upstreamGroup, connections: config.upstreamConnections },
        'shared-subscription mode: consuming from the external broker',
      );
    }
    return { metrics, writer, broker, upstream, edges };
  },
});

export type Ingest = RunningService<ServeConfig, IngestParts> &
  IngestParts & {
    readonly registry: Registry;
    readonly ports: { http: number; mqtt?: number; ws?: number; tls?: number | undefined };
    /** Graceful stop: intake → flush → close. */
    close(): Promise<void>;
  };

/** Starts `ingest serve` in this process (tests, benchmarks): the kernel service plus its parts. */
export async function startIngest(env: Record<string, string | undefined>): Promise<Ingest> {
  const svc = await startService(ingestService, { env });
  // Kept: callers may wrap `stop` and call `close` from their wrapper.
  const stop = svc.stop;
  const { broker } = svc.result;
  return Object.assign(svc, svc.result, {
    registry: svc.ctx.registry,
    ports: {
      http: svc.port,
      ...(broker
        ? { mqtt: broker.listeners.ports.mqtt, ws: broker.listeners.ports.ws, tls: broker.listeners.ports.tls }
        : {}),
    },
    close: () => stop('close'),
  });
}

export { IngestErrorCode };
