import type { EdgeError } from '@wattstream/contracts';
import {
  endSpan,
  type Logger,
  type Span,
  SpanKind,
  startSpanFrom,
  traceparentOfSpan,
  tracing,
} from '@wattstream/platform';
import type { KafkaWriter, OutRecord } from './kafka-writer.js';
import type { IngestMetrics } from './metrics.js';
import type { RecordBuilder, SamplePublish } from './records.js';

export type EdgeErrorPublisher = (edgeId: string, error: EdgeError) => void;

export interface IntakeOptions {
  writer: KafkaWriter;
  records: RecordBuilder;
  metrics: IngestMetrics;
  logger: Logger;
  /** Sends an `EdgeError` to `v1/errors/{edgeId}`; best effort. */
  publishEdgeError: EdgeErrorPublisher;
}

/**
 * What happens to a sample publish once its sender is known to be allowed to send it, the same
 * for the embedded broker and the shared subscription: validate, write to Kafka, and resolve
 * when the publish may be acknowledged.
 *
 * QoS 1 (and 2): resolves only after Kafka acknowledged the record, so the PUBACK means "in
 * Kafka". An invalid batch goes to `tracking.metrics.rejected` (also acknowledged by Kafka
 * first), the edge is told why on `v1/errors/{edgeId}`, and the publish is still acknowledged so
 * the edge does not resend it forever.
 * QoS 0: the same validation; resolves once the record is admitted (bounded by the pending
 * budget, so backpressure still applies), without waiting for Kafka.
 */
export class Intake {
  constructor(private readonly o: IntakeOptions) {}

  async samples(p: SamplePublish, signal?: AbortSignal, log: Logger = this.o.logger): Promise<void> {
    const { metrics } = this.o;
    const verdict = this.o.records.build(p);
    const qos = String(p.qos);
    const span = tracing().enabled ? this.span(p, verdict.record) : undefined;
    try {
      await this.write(verdict.record, p.qos, signal, log);
    } catch (err) {
      if (span) endSpan(span, err);
      throw err;
    }
    if (span) {
      span.setAttribute('wattstream.outcome', verdict.ok ? 'accepted' : verdict.code);
      span.end();
    }
    if (verdict.ok) {
      metrics.samples.inc(verdict.samples);
      metrics.publishes.inc({ kind: 'samples', qos, outcome: 'accepted' });
      return;
    }
    metrics.rejected.inc({ reason: verdict.code });
    metrics.publishes.inc({ kind: 'samples', qos, outcome: 'rejected' });
    log.info({ topic: p.topic, code: verdict.code, reason: verdict.reason }, 'rejected a sample batch');
    this.o.publishEdgeError(p.edgeId, verdict.edgeError);
  }

  /**
   * The span of one publish, under the trace the edge started (its batch's `traceparent`, or the
   * MQTT 5 user property in shared mode); the record then carries this span's context, so the
   * worker's span is its child. Ends when the record is admitted (QoS 0) or in Kafka (QoS 1).
   */
  private span(p: SamplePublish, record: OutRecord): Span {
    const span = startSpanFrom('ingest samples', record.headers.traceparent, {
      kind: SpanKind.CONSUMER,
      attributes: {
        'messaging.system': 'mqtt',
        'messaging.destination.name': 'v1/samples/{athleteId}/{deviceId}',
        'wattstream.edge_id': p.edgeId,
        'wattstream.athlete_id': p.athleteId,
        'wattstream.device_id': p.deviceId,
        'mqtt.qos': p.qos,
        'messaging.message.body.size': p.payload.length,
      },
    });
    const tp = traceparentOfSpan(span);
    if (tp !== undefined) record.headers.traceparent = tp;
    return span;
  }

  /** A publish that cannot be attributed or parsed at all (shared mode): rejected as such. */
  async rejectTopic(p: Omit<SamplePublish, 'athleteId' | 'deviceId'>, code: string, reason: string): Promise<void> {
    const verdict = this.o.records.reject(p, code, reason);
    await this.write(verdict.record, p.qos);
    this.o.metrics.rejected.inc({ reason: code });
    this.o.metrics.publishes.inc({ kind: 'other', qos: String(p.qos), outcome: 'rejected' });
  }

  /**
   * Submits a record; QoS 1 and 2 wait for Kafka's acknowledgement. A QoS 0 record that is never
   * written (Kafka down at shutdown) is only logged: nobody waits for it, and an unhandled
   * rejection would end the process.
   */
  private async write(record: OutRecord, qos: number, signal?: AbortSignal, log = this.o.logger): Promise<void> {
    const { acked } = await this.o.writer.submit(record, signal);
    if (qos > 0) await acked;
    else acked.catch((err: unknown) => log.debug({ err }, 'QoS 0 record not written'));
  }
}
