import { MAX_SAMPLES_PER_BATCH, mqttTopics, RR_RANGE, type Sample } from '@wattstream/contracts';
import { SpanKind, type Tracing, traceparentOfSpan } from '@wattstream/platform';
import type { Metrics } from '../decoders/types.js';
import type { DiskQueue } from '../queue/disk-queue.js';

interface DeviceBuffer {
  athleteId: string;
  deviceId: string;
  samples: Map<number, Sample>;
}

/**
 * Collects readings per device, merges those that share a timestamp into one sample (a power
 * meter's power and cadence, a trainer's several characteristics), and on `flush()` turns each
 * device's samples into a v1 `SampleBatch` with the device's next `seq`, appended to the queue.
 * Seq continues from the highest the queue has ever held for the device (also after restarts).
 * With tracing on, each batch starts a trace: its `edge batch` span's context travels in the
 * batch's `traceparent` field (MQTT 3.1.1 has no user properties), through the disk queue, so a
 * batch sent hours later still joins the trace it was sealed in.
 */
export class Batcher {
  private buffers = new Map<string, DeviceBuffer>();

  constructor(
    private readonly queue: DiskQueue,
    private readonly tracing?: Tracing,
  ) {}

  add(athleteId: string, deviceId: string, ts: number, metrics: Metrics): void {
    if (Object.keys(metrics).length === 0) return;
    const key = `${athleteId}/${deviceId}`;
    let buf = this.buffers.get(key);
    if (!buf) {
      buf = { athleteId, deviceId, samples: new Map() };
      this.buffers.set(key, buf);
    }
    const prev = buf.samples.get(ts);
    if (!prev) {
      buf.samples.set(ts, { ts, ...metrics });
      return;
    }
    const rr = prev.rr && metrics.rr ? [...prev.rr, ...metrics.rr].slice(-RR_RANGE.maxItems) : (metrics.rr ?? prev.rr);
    Object.assign(prev, metrics);
    if (rr) prev.rr = rr;
  }

  /** Appends one batch per device (more if a device has > 1000 samples); returns how many. */
  flush(): number {
    let batches = 0;
    const buffers = this.buffers;
    this.buffers = new Map();
    for (const b of buffers.values()) {
      const samples = [...b.samples.values()].sort((x, y) => x.ts - y.ts);
      const topic = mqttTopics.samples(b.athleteId, b.deviceId);
      for (let i = 0; i < samples.length; i += MAX_SAMPLES_PER_BATCH) {
        // The queue records every seq it is given at once, so it is the one counter per device.
        const seq = (this.queue.lastSeq(b.deviceId) ?? -1) + 1;
        const part = samples.slice(i, i + MAX_SAMPLES_PER_BATCH);
        const traceparent = this.traceparent(b, seq, part.length);
        const body = Buffer.from(
          JSON.stringify(traceparent ? { seq, traceparent, samples: part } : { seq, samples: part }),
        );
        this.queue.append(topic, seq, body, b.deviceId);
        batches++;
      }
    }
    return batches;
  }

  /**
   * The context of a new `edge batch` span when tracing is on — also of one the ratio sampler left
   * out (flags 00), so every later hop keeps the edge's decision instead of sampling afresh.
   */
  private traceparent(b: DeviceBuffer, seq: number, samples: number): string | undefined {
    if (!this.tracing?.enabled) return undefined;
    const span = this.tracing.tracer.startSpan('edge batch', {
      kind: SpanKind.PRODUCER,
      attributes: {
        'messaging.system': 'mqtt',
        'wattstream.athlete_id': b.athleteId,
        'wattstream.device_id': b.deviceId,
        'wattstream.seq': seq,
        'wattstream.samples': samples,
      },
    });
    span.end();
    return traceparentOfSpan(span);
  }
}
