import {
  batchContentHash,
  canonicalSampleBatch,
  checkSampleTimes,
  cloudEventHeaders,
  DEFAULT_MAX_FUTURE_SKEW_MS,
  decodeSampleBatch,
  type EdgeError,
  type MetricsRejected,
  metricsReceivedCeId,
  type SampleBatch,
  type SampleTimeBounds,
  TOPIC,
} from '@wattstream/contracts';
import type { OutRecord } from './kafka-writer.js';

/** A sample publish as it arrived, whichever way (embedded broker or shared subscription). */
export interface SamplePublish {
  edgeId: string;
  athleteId: string;
  deviceId: string;
  topic: string;
  payload: Buffer;
  qos: number;
  receivedAt: number;
  traceparent?: string | undefined;
}

export type Verdict =
  | { ok: true; record: OutRecord; samples: number }
  | { ok: false; code: string; reason: string; record: OutRecord; edgeError: EdgeError };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Turns a publish into the Kafka record of the contract: a validated batch becomes a
 * `tracking.metrics.received` record, anything else a `tracking.metrics.rejected` one plus the
 * `EdgeError` that explains it to the edge.
 */
export class RecordBuilder {
  private rejectedCount = 0;
  private readonly rejectedSource: string;

  constructor(
    instance: string,
    private readonly times: SampleTimeBounds = { maxFutureSkewMs: DEFAULT_MAX_FUTURE_SKEW_MS, maxAgeMs: 0 },
  ) {
    this.rejectedSource = `/ingest/${instance}`;
  }

  build(p: SamplePublish): Verdict {
    const decoded = decodeSampleBatch(p.payload);
    if (!decoded.ok) return this.reject(p, decoded.error.code, decoded.error.message);
    const timed = checkSampleTimes(decoded.value, p.receivedAt, this.times);
    if (!timed.ok) return this.reject(p, timed.error.code, timed.error.message);
    const batch = decoded.value;
    return { ok: true, samples: batch.samples.length, record: this.received(p, batch) };
  }

  /**
   * The `tracking.metrics.received` record of a validated batch: the MetricsReceived envelope
   * (athleteId, deviceId, edgeId: ids checked by the topic parser and the token) in front of the
   * canonical encoding of the validated batch, never the edge's own bytes (which may hold a
   * duplicate key or another spelling of a number). Its `ce_id` is the batch identity of the
   * contract, content hash included.
   */
  private received(p: SamplePublish, batch: SampleBatch): OutRecord {
    const canonical = canonicalSampleBatch(batch);
    // MQTT 5 user property (shared mode) first, else the field an MQTT 3.1.1 edge writes.
    const traceparent = p.traceparent ?? batch.traceparent;
    return {
      topic: TOPIC.metricsReceived,
      key: p.athleteId,
      value: `{"athleteId":"${p.athleteId}","deviceId":"${p.deviceId}","edgeId":"${p.edgeId}",${canonical.slice(1)}`,
      headers: cloudEventHeaders({
        type: TOPIC.metricsReceived,
        id: metricsReceivedCeId(p.athleteId, p.deviceId, batch.seq, batchContentHash(canonical)),
        source: `/edges/${p.edgeId}`,
        time: p.receivedAt,
        ...(traceparent === undefined ? {} : { traceparent }),
      }),
    };
  }

  /** A rejection record for a publish refused for `code` (validation or topic layout). */
  reject(p: Omit<SamplePublish, 'athleteId' | 'deviceId'>, code: string, reason: string): Verdict & { ok: false } {
    const n = ++this.rejectedCount;
    let text: string | undefined;
    try {
      text = utf8.decode(p.payload);
    } catch {
      text = undefined;
    }
    const value: MetricsRejected = {
      edgeId: p.edgeId,
      topic: p.topic,
      code,
      reason,
      receivedAt: p.receivedAt,
      payloadEncoding: text === undefined ? 'base64' : 'utf8',
      payload: text ?? p.payload.toString('base64'),
    };
    const edgeError: EdgeError = { code, message: reason, topic: p.topic, ts: p.receivedAt };
    const seq = readableSeq(text);
    if (seq !== undefined) edgeError.seq = seq;
    return {
      ok: false,
      code,
      reason,
      edgeError,
      record: {
        topic: TOPIC.metricsRejected,
        key: p.edgeId,
        value: JSON.stringify(value),
        headers: cloudEventHeaders({
          type: TOPIC.metricsRejected,
          id: `${p.edgeId}:${p.receivedAt}:${n}`,
          source: this.rejectedSource,
          time: p.receivedAt,
          ...(p.traceparent === undefined ? {} : { traceparent: p.traceparent }),
        }),
      },
    };
  }
}

/** The `seq` of a rejected batch when the payload is JSON with an integer seq, for the edge. */
function readableSeq(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  try {
    const v = JSON.parse(text) as { seq?: unknown };
    return Number.isSafeInteger(v?.seq) && (v.seq as number) >= 0 ? (v.seq as number) : undefined;
  } catch {
    return undefined;
  }
}
