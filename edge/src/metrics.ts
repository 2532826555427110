import { Counter, createRegistry, Gauge, type Registry } from '@wattstream/platform';

/** The agent's Prometheus metrics (served on `EDGE_HTTP_PORT` `/metrics`). */
export class EdgeMetrics {
  readonly samplesRead: Counter<'transport'>;
  readonly decodeErrors: Counter<'code'>;
  readonly batchesQueued: Counter;
  readonly batchesAcked: Counter;
  readonly queueDepth: Gauge;
  readonly queueBytes: Gauge;
  readonly queueDropped: Counter;
  readonly mqttConnected: Gauge;
  readonly rejections: Counter<'code'>;
  readonly commands: Counter<'type' | 'result'>;
  readonly sensorsConnected: Gauge;
  readonly sensorReconnects: Counter<'transport'>;

  constructor(readonly registry: Registry = createRegistry('edge', { defaults: false })) {
    const r = [registry];
    this.samplesRead = new Counter({
      name: 'wattstream_edge_samples_read_total',
      help: 'sensor payloads decoded into a reading',
      labelNames: ['transport'],
      registers: r,
    });
    this.decodeErrors = new Counter({
      name: 'wattstream_edge_decode_errors_total',
      help: 'payloads a decoder refused, by error code',
      labelNames: ['code'],
      registers: r,
    });
    this.batchesQueued = new Counter({
      name: 'wattstream_edge_batches_queued_total',
      help: 'sample batches appended to the outbound queue',
      registers: r,
    });
    this.batchesAcked = new Counter({
      name: 'wattstream_edge_batches_acked_total',
      help: 'sample batches acknowledged by the broker (PUBACK)',
      registers: r,
    });
    this.queueDepth = new Gauge({
      name: 'wattstream_edge_queue_depth',
      help: 'batches in the outbound queue not yet acknowledged',
      registers: r,
    });
    this.queueBytes = new Gauge({
      name: 'wattstream_edge_queue_bytes',
      help: 'outbound queue size on disk',
      registers: r,
    });
    this.queueDropped = new Counter({
      name: 'wattstream_edge_queue_dropped_batches_total',
      help: 'unsent batches dropped because the queue reached its disk budget (data lost)',
      registers: r,
    });
    this.mqttConnected = new Gauge({
      name: 'wattstream_edge_mqtt_connected',
      help: '1 while connected to the broker',
      registers: r,
    });
    this.rejections = new Counter({
      name: 'wattstream_edge_rejections_total',
      help: 'publishes the platform refused (v1/errors/{edgeId}), by code',
      labelNames: ['code'],
      registers: r,
    });
    this.commands = new Counter({
      name: 'wattstream_edge_commands_total',
      help: 'commands received on v1/commands/{edgeId}, by type and result (done, duplicate, invalid, unsupported, failed)',
      labelNames: ['type', 'result'],
      registers: r,
    });
    this.sensorsConnected = new Gauge({
      name: 'wattstream_edge_sensors_connected',
      help: 'paired sensors currently delivering data',
      registers: r,
    });
    this.sensorReconnects = new Counter({
      name: 'wattstream_edge_sensor_reconnects_total',
      help: 'sensor reconnections (BLE reconnect, ANT+ reacquired)',
      labelNames: ['transport'],
      registers: r,
    });
  }
}
