import { Counter, Gauge, Histogram, LATENCY_BUCKETS, type Registry } from '@wattstream/platform';

const SIZE_BUCKETS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000];

/** Prometheus metrics of `ingest serve` (names get the `wattstream_` prefix). */
export interface WriterState {
  pendingBytes: number;
  waiting: number;
  backpressure: boolean;
}

export function createIngestMetrics(registry: Registry) {
  const registers = [registry];
  let writer: (() => WriterState) | undefined;
  return {
    /** The Kafka writer's live state, read at every scrape. */
    bindWriter(state: () => WriterState): void {
      writer = state;
    },
    connections: new Gauge({
      name: 'wattstream_ingest_connections',
      help: 'MQTT connections open (all transports, authenticated or not)',
      registers,
    }),
    connectionsTotal: new Counter({
      name: 'wattstream_ingest_connections_total',
      help: 'MQTT connections accepted, by transport',
      labelNames: ['transport'] as const,
      registers,
    }),
    authFailures: new Counter({
      name: 'wattstream_ingest_auth_failures_total',
      help: 'CONNECTs refused, by reason code',
      labelNames: ['reason'] as const,
      registers,
    }),
    publishes: new Counter({
      name: 'wattstream_ingest_publishes_total',
      help: 'MQTT publishes received, by kind (samples, status, other), QoS and outcome',
      labelNames: ['kind', 'qos', 'outcome'] as const,
      registers,
    }),
    samples: new Counter({
      name: 'wattstream_ingest_samples_total',
      help: 'samples accepted into tracking.metrics.received (rate() gives samples/s)',
      registers,
    }),
    rejected: new Counter({
      name: 'wattstream_ingest_rejected_total',
      help: 'publishes rejected or refused, by reason code',
      labelNames: ['reason'] as const,
      registers,
    }),
    oversized: new Counter({
      name: 'wattstream_ingest_oversized_packets_total',
      help: 'connections closed for a packet above MQTT_MAX_PACKET_SIZE',
      registers,
    }),
    rateLimited: new Counter({
      name: 'wattstream_ingest_rate_limited_total',
      help: 'publishes delayed by the per-edge rate limit',
      registers,
    }),
    tokenExpiries: new Counter({
      name: 'wattstream_ingest_token_expiry_disconnects_total',
      help: 'clients disconnected because their token expired',
      registers,
    }),
    produceSeconds: new Histogram({
      name: 'wattstream_ingest_kafka_produce_seconds',
      help: 'duration of one Kafka produce request (acks=all)',
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    batchRecords: new Histogram({
      name: 'wattstream_ingest_kafka_batch_records',
      help: 'records per Kafka produce request',
      buckets: SIZE_BUCKETS,
      registers,
    }),
    batchBytes: new Histogram({
      name: 'wattstream_ingest_kafka_batch_bytes',
      help: 'uncompressed value bytes per Kafka produce request',
      buckets: [1024, 4096, 16_384, 65_536, 262_144, 1_048_576, 4_194_304],
      registers,
    }),
    produceErrors: new Counter({
      name: 'wattstream_ingest_kafka_produce_errors_total',
      help: 'failed Kafka produce requests (each is retried)',
      registers,
    }),
    kafkaBytes: new Counter({
      name: 'wattstream_ingest_kafka_bytes_total',
      help: 'uncompressed value bytes acknowledged by Kafka',
      registers,
    }),
    pendingBytes: new Gauge({
      name: 'wattstream_ingest_kafka_pending_bytes',
      help: 'bytes accepted from MQTT and not yet acknowledged by Kafka',
      registers,
      collect() {
        if (writer) this.set(writer().pendingBytes);
      },
    }),
    waitingPublishes: new Gauge({
      name: 'wattstream_ingest_kafka_waiting_publishes',
      help: 'publishes waiting for room under KAFKA_MAX_PENDING_BYTES',
      registers,
      collect() {
        if (writer) this.set(writer().waiting);
      },
    }),
    backpressure: new Gauge({
      name: 'wattstream_ingest_backpressure',
      help: '1 while Kafka fails or stalls (a produce outstanding > 1 s) or the pending budget is full: sockets are not read',
      registers,
      collect() {
        if (writer) this.set(writer().backpressure ? 1 : 0);
      },
    }),
    upstreamConnected: new Gauge({
      name: 'wattstream_ingest_upstream_connected',
      help: 'shared mode: connections to the external broker that are up',
      registers,
    }),
  };
}
export type IngestMetrics = ReturnType<typeof createIngestMetrics>;

/** Prometheus metrics of `ingest sink`. */
export function createSinkMetrics(registry: Registry) {
  const registers = [registry];
  return {
    records: new Counter({
      name: 'wattstream_sink_records_total',
      help: 'Kafka records written to QuestDB and committed',
      registers,
    }),
    rows: new Counter({
      name: 'wattstream_sink_rows_total',
      help: 'rows accepted by QuestDB (rate() gives rows/s)',
      registers,
    }),
    badRecords: new Counter({
      name: 'wattstream_sink_bad_records_total',
      help: 'records that are not a MetricsReceived (skipped)',
      registers,
    }),
    lag: new Gauge({
      name: 'wattstream_sink_lag_records',
      help: 'records between the sink position and the end of the partition',
      labelNames: ['partition'] as const,
      registers,
    }),
    writeSeconds: new Histogram({
      name: 'wattstream_sink_write_seconds',
      help: 'duration of one ILP/HTTP write',
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    writeFailures: new Counter({
      name: 'wattstream_sink_write_failures_total',
      help: 'failed QuestDB writes (each is retried)',
      registers,
    }),
    questdbUp: new Gauge({
      name: 'wattstream_sink_questdb_up',
      help: '1 when the last QuestDB write succeeded, 0 while retrying',
      registers,
    }),
  };
}
export type SinkMetrics = ReturnType<typeof createSinkMetrics>;
