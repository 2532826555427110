import { setTimeout as delay } from 'node:timers/promises';
import { CompressionTypes, type Logger, type Producer } from '@wattstream/platform';
import { IngestErrorCode, ingestError } from './errors.js';
import type { IngestMetrics } from './metrics.js';

/** One Kafka record as ingest writes it. */
export interface OutRecord {
  topic: string;
  key: string;
  /** JSON; a Buffer goes to Kafka as is. */
  value: string | Buffer;
  headers: Record<string, string>;
}

export interface KafkaWriterOptions {
  lingerMs: number;
  maxBatchBytes: number;
  maxBatchRecords: number;
  /** Bytes admitted but not yet acknowledged; beyond it `submit` waits (backpressure). */
  maxPendingBytes: number;
  compression: 'lz4' | 'gzip' | 'none';
  /** Longest pause between retries of a failed produce. */
  retryMaxMs: number;
  logger: Logger;
  metrics?: IngestMetrics;
}

interface Entry {
  record: OutRecord;
  bytes: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

interface Waiter {
  entry: Entry;
  admit: () => void;
  fail: (err: Error) => void;
}

export interface Submission {
  /** Resolves when Kafka has acknowledged the record (acks=all). */
  readonly acked: Promise<void>;
}

/** CloudEvents headers, roughly, for the pending-bytes budget. */
const HEADER_OVERHEAD = 160;
/** A produce request outstanding longer than this counts as Kafka stalling (backpressure). */
const STALL_MS = 1000;

const COMPRESSION = {
  lz4: CompressionTypes.LZ4,
  gzip: CompressionTypes.GZIP,
  none: CompressionTypes.None,
} as const;

/**
 * Group commit in front of the idempotent producer. Concurrent publishes join one produce
 * request (linger, then up to maxBatch records/bytes); one request is in flight at a time, so
 * records reach each partition in submission order and the batch grows with Kafka's latency.
 *
 * A failed request is retried with backoff, forever, in the same order: the publishes behind it
 * keep waiting, so no PUBACK leaves while Kafka is down. Memory is bounded by `maxPendingBytes`:
 * beyond it `submit` does not admit, the publish handler does not return, and aedes stops
 * reading that socket (it reads the next chunk only when the packets of the last one are done).
 */
export class KafkaWriter {
  private readonly queue: Entry[] = [];
  private queuedBytes = 0;
  private pendingBytes = 0;
  private readonly waiters: Waiter[] = [];
  private flushing = false;
  private timer: NodeJS.Timeout | undefined;
  private produceFailing = false;
  private closing = false;
  private idleResolvers: (() => void)[] = [];
  private readonly compression: number;
  private sendStartedAt: number | undefined;

  constructor(
    private readonly producer: Producer,
    private readonly opts: KafkaWriterOptions,
  ) {
    this.compression = COMPRESSION[opts.compression];
    opts.metrics?.bindWriter(() => ({
      pendingBytes: this.pendingBytes,
      waiting: this.waiters.length,
      backpressure: this.backpressure,
    }));
  }

  /** True while produce requests fail or stall, or publishes wait for budget. */
  get backpressure(): boolean {
    return this.produceFailing || this.stalled || this.waiters.length > 0;
  }

  /** A produce request has been outstanding for longer than STALL_MS. */
  get stalled(): boolean {
    return this.sendStartedAt !== undefined && performance.now() - this.sendStartedAt > STALL_MS;
  }

  /** The last produce request failed (it is being retried). */
  get failing(): boolean {
    return this.produceFailing;
  }

  /**
   * Admits a record into the next produce request. Resolves once admitted (immediately unless
   * the pending budget is full); `acked` then resolves when Kafka has it. Rejects with
   * WS_INGEST_CONNECTION_CLOSED when `signal` aborts before admission, or WS_INGEST_SHUTTING_DOWN.
   */
  submit(record: OutRecord, signal?: AbortSignal): Promise<Submission> {
    if (this.closing) return Promise.reject(shuttingDown());
    let resolve!: () => void;
    let reject!: (err: Error) => void;
    const acked = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const entry: Entry = {
      record,
      bytes: record.value.length + record.key.length + HEADER_OVERHEAD,
      resolve,
      reject,
    };
    const submission: Submission = { acked };
    if (this.waiters.length === 0 && this.fits(entry.bytes)) {
      this.admit(entry);
      return Promise.resolve(submission);
    }
    if (signal?.aborted) return Promise.reject(connectionClosed());
    return new Promise<Submission>((res, rej) => {
      const onAbort = () => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        rej(connectionClosed());
      };
      const waiter: Waiter = {
        entry,
        admit: () => {
          signal?.removeEventListener('abort', onAbort);
          this.admit(entry);
          res(submission);
        },
        fail: (err) => {
          signal?.removeEventListener('abort', onAbort);
          rej(err);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  private fits(bytes: number): boolean {
    // One record larger than the whole budget still goes through, alone.
    return this.pendingBytes === 0 || this.pendingBytes + bytes <= this.opts.maxPendingBytes;
  }

  private admit(entry: Entry): void {
    this.queue.push(entry);
    this.queuedBytes += entry.bytes;
    this.pendingBytes += entry.bytes;
    if (this.flushing) return;
    if (this.queuedBytes >= this.opts.maxBatchBytes || this.queue.length >= this.opts.maxBatchRecords) {
      this.startFlush();
    } else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.startFlush(), this.opts.lingerMs);
    }
  }

  private startFlush(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.flushing || this.queue.length === 0) return;
    this.flushing = true;
    void this.flushLoop();
  }

  private takeBatch(): Entry[] {
    let n = 0;
    let bytes = 0;
    while (n < this.queue.length && n < this.opts.maxBatchRecords) {
      const b = (this.queue[n] as Entry).bytes;
      if (n > 0 && bytes + b > this.opts.maxBatchBytes) break;
      bytes += b;
      n++;
    }
    this.queuedBytes -= bytes;
    return this.queue.splice(0, n);
  }

  private async flushLoop(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.takeBatch();
      const ok = await this.sendWithRetry(batch);
      let bytes = 0;
      for (const e of batch) bytes += e.bytes;
      this.pendingBytes -= bytes;
      if (ok) {
        for (const e of batch) e.resolve();
      }
      this.admitWaiters();
    }
    this.flushing = false;
    if (this.pendingBytes === 0) {
      const idle = this.idleResolvers;
      this.idleResolvers = [];
      for (const r of idle) r();
    }
  }

  private admitWaiters(): void {
    while (this.waiters.length > 0 && this.fits((this.waiters[0] as Waiter).entry.bytes)) {
      (this.waiters.shift() as Waiter).admit();
    }
  }

  private async sendWithRetry(batch: Entry[]): Promise<boolean> {
    const byTopic = new Map<string, { key: string; value: string | Buffer; headers: Record<string, string> }[]>();
    let bytes = 0;
    for (const e of batch) {
      const r = e.record;
      let list = byTopic.get(r.topic);
      if (!list) {
        list = [];
        byTopic.set(r.topic, list);
      }
      list.push({ key: r.key, value: r.value, headers: r.headers });
      bytes += r.value.length;
    }
    const topicMessages = [...byTopic].map(([topic, messages]) => ({ topic, messages }));
    let backoff = 100;
    let attempt = 0;
    const m = this.opts.metrics;
    for (;;) {
      const started = performance.now();
      this.sendStartedAt = started;
      try {
        await this.producer.sendBatch({ topicMessages, acks: -1, compression: this.compression });
        this.sendStartedAt = undefined;
        m?.produceSeconds.observe((performance.now() - started) / 1000);
        m?.batchRecords.observe(batch.length);
        m?.batchBytes.observe(bytes);
        m?.kafkaBytes.inc(bytes);
        if (this.produceFailing) {
          this.produceFailing = false;
          this.opts.logger.info({ attempts: attempt + 1 }, 'Kafka accepts writes again; resuming');
        }
        return true;
      } catch (err) {
        this.sendStartedAt = undefined;
        attempt++;
        m?.produceErrors.inc();
        if (!this.produceFailing) {
          this.produceFailing = true;
          this.opts.logger.error(
            { err, records: batch.length },
            'Kafka produce failed; holding acknowledgements and retrying (sockets are not read meanwhile)',
          );
        } else if (attempt % 20 === 0) {
          this.opts.logger.warn({ attempts: attempt, err: (err as Error).message }, 'Kafka still failing');
        }
        if (this.abortOnClose) {
          const e = shuttingDown();
          for (const x of batch) x.reject(e);
          return false;
        }
        await delay(backoff);
        backoff = Math.min(backoff * 2, this.opts.retryMaxMs);
      }
    }
  }

  private abortOnClose = false;

  /**
   * Stops admitting, then waits up to `timeoutMs` for every admitted record to be acknowledged.
   * Records still unacknowledged after that are rejected (their publishes get no PUBACK, so
   * the edges resend them). Resolves true when everything was flushed.
   */
  async close(timeoutMs: number): Promise<boolean> {
    this.closing = true;
    for (const w of this.waiters.splice(0)) w.fail(shuttingDown());
    if (this.timer !== undefined) this.startFlush();
    if (this.pendingBytes === 0) return true;
    const idle = new Promise<void>((r) => this.idleResolvers.push(r));
    const timedOut = await Promise.race([idle.then(() => false), delay(timeoutMs).then(() => true)]);
    if (!timedOut) return true;
    this.abortOnClose = true;
    const e = shuttingDown();
    for (const x of this.queue.splice(0)) x.reject(e);
    this.queuedBytes = 0;
    return false;
  }
}

function shuttingDown(): Error {
  return ingestError(IngestErrorCode.ShuttingDown, 'ingest is shutting down; the publish was not acknowledged');
}

function connectionClosed(): Error {
  return ingestError(IngestErrorCode.ConnectionClosed, 'connection closed before Kafka accepted the publish');
}
