import {
  closeSync,
  existsSync,
  fdatasync,
  fdatasyncSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { parseMqttTopic } from '@wattstream/contracts';
import type { Logger } from '@wattstream/platform';
import { EdgeErrorCode } from '../errors.js';
import { encodeRecord, type ParsedSegment, parseAcks, parseSegment, type StoredRecord } from './segment-file.js';

/**
 * Durable outbound queue (store-and-forward). Append-only segment files; a batch is appended and
 * made durable before it is handed to MQTT, and forgotten only after its PUBACK.
 *
 * - **Durability.** `append()` buffers; `commit()` writes the buffered records with one write and
 *   (when `fsync` is on) one `fdatasync` — group commit, once per flush tick. Only committed
 *   records are returned by `next()`, so nothing is published that a crash could un-write.
 * - **Acks** are appended to a per-segment `.ack` file without fsync: losing one only causes a
 *   redelivery of the same seq after a crash, never a loss.
 * - **Deletion.** A sealed segment whose records are all acknowledged is deleted, after the
 *   per-device last seq is checkpointed (`seq.json`, written atomically), so seq never repeats.
 * - **Disk budget.** When segments exceed `budgetBytes`, the oldest segment is dropped, acked or
 *   not; `onDrop` is told how many unacknowledged batches were lost.
 */
export interface DiskQueueOptions {
  dir: string;
  budgetBytes: number;
  segmentBytes?: number;
  fsync?: boolean;
  logger?: Logger;
  onDrop?: (batches: number, segment: string) => void;
}

export interface QueuedRecord extends StoredRecord {
  /** Opaque position; pass the record back to `ack`. */
  readonly segment: number;
  readonly index: number;
}

interface Segment {
  id: number;
  path: string;
  ackPath: string;
  /** Records in order; undefined while not loaded (sealed segments are loaded on demand). */
  records: StoredRecord[] | undefined;
  count: number;
  /** Records [0, durable) are committed to disk. Sealed segments are fully durable. */
  durable: number;
  acked: Set<number>;
  bytes: number;
  /** Bytes actually written to the file (a failed write is cut back to this). */
  written: number;
  sealed: boolean;
  fd: number | undefined;
  ackFd: number | undefined;
}

const SEG_RE = /^(\d{16})\.seg$/;
const pad = (n: number) => String(n).padStart(16, '0');

export class DiskQueue {
  private readonly segments: Segment[] = [];
  private readonly segmentBytes: number;
  private readonly fsync: boolean;
  private readonly seqs = new Map<string, number>();
  private pending: Buffer[] = [];
  private pendingAcks = new Map<Segment, number[]>();
  private cursor = { seg: 0, index: 0 };
  private totalBytes = 0;
  private committing: Promise<void> | undefined;
  private closed = false;
  droppedBatches = 0;

  private constructor(private readonly opts: DiskQueueOptions) {
    this.segmentBytes = Math.max(
      4096,
      Math.min(opts.segmentBytes ?? 4 * 1024 * 1024, Math.floor(opts.budgetBytes / 4)),
    );
    this.fsync = opts.fsync ?? true;
  }

  static open(opts: DiskQueueOptions): DiskQueue {
    const q = new DiskQueue(opts);
    q.recover();
    return q;
  }

  /** Unacknowledged batches on disk (including ones in flight). */
  get depth(): number {
    let n = 0;
    for (const s of this.segments) n += s.count - s.acked.size;
    return n;
  }
  get bytes(): number {
    return this.totalBytes;
  }
  /** Highest seq ever queued per device id (recovered from segments and the checkpoint). */
  lastSeq(deviceId: string): number | undefined {
    return this.seqs.get(deviceId);
  }

  /**
   * Buffers one batch; it becomes visible to `next()` after the following `commit()`. Callers that
   * know the topic's device id pass it, so the topic is not parsed again per batch.
   */
  append(topic: string, seq: number, body: Buffer, device = deviceOf(topic)): void {
    if (this.closed) throw new Error('queue is closed');
    const active = this.activeSegment();
    const frame = encodeRecord(topic, seq, body);
    this.pending.push(frame);
    active.records!.push({ topic, seq, body });
    active.count++;
    active.bytes += frame.length;
    this.totalBytes += frame.length;
    if (device) this.seqs.set(device, Math.max(seq, this.seqs.get(device) ?? -1));
    if (active.bytes >= this.segmentBytes) this.roll();
    this.enforceBudget();
  }

  /** Writes buffered records and (fsync on) waits for them to reach the disk. Group commit:
   * concurrent callers share one flush. */
  commit(): Promise<void> {
    if (this.committing) return this.committing.then(() => this.commit());
    if (this.pending.length === 0) {
      this.flushAcks();
      return Promise.resolve();
    }
    const active = this.activeSegment();
    const target = active.count;
    this.writePending(active);
    this.flushAcks();
    const done = () => {
      active.durable = Math.max(active.durable, target);
      this.committing = undefined;
    };
    if (!this.fsync) {
      done();
      return Promise.resolve();
    }
    this.committing = new Promise<void>((resolve, reject) => {
      fdatasync(active.fd!, (err) => {
        if (err) {
          this.committing = undefined;
          reject(err);
          return;
        }
        done();
        resolve();
      });
    });
    return this.committing;
  }

  /** Next committed, unacknowledged record after the send cursor, in append order. */
  next(): QueuedRecord | undefined {
    while (this.cursor.seg < this.segments.length) {
      const seg = this.segments[this.cursor.seg]!;
      const limit = seg.sealed ? seg.count : seg.durable;
      while (this.cursor.index < limit) {
        const index = this.cursor.index++;
        if (seg.acked.has(index)) continue;
        const rec = this.load(seg)[index]!;
        return { ...rec, segment: seg.id, index };
      }
      if (!seg.sealed) return undefined;
      this.release(seg);
      this.cursor = { seg: this.cursor.seg + 1, index: 0 };
    }
    return undefined;
  }

  /** Marks a record as acknowledged by the broker. Unknown or repeated acks are ignored. */
  ack(rec: { segment: number; index: number }): void {
    const seg = this.segments.find((s) => s.id === rec.segment);
    if (!seg || seg.acked.has(rec.index) || rec.index >= seg.durable) return;
    seg.acked.add(rec.index);
    const list = this.pendingAcks.get(seg);
    if (list) list.push(rec.index);
    else this.pendingAcks.set(seg, [rec.index]);
    if (seg.sealed && seg.acked.size === seg.count) this.deleteSegment(seg);
  }

  /** Sends everything unacknowledged again, from the oldest (after a publish failure). */
  rewind(): void {
    this.cursor = { seg: 0, index: 0 };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.commit();
    this.flushAcks();
    this.closed = true;
    this.saveCheckpoint();
    for (const s of this.segments) {
      if (s.fd !== undefined) closeSync(s.fd);
      if (s.ackFd !== undefined) closeSync(s.ackFd);
      s.fd = s.ackFd = undefined;
    }
  }

  private activeSegment(): Segment {
    const last = this.segments.at(-1);
    if (last && !last.sealed) return last;
    const id = last ? last.id + 1 : 1;
    const path = join(this.opts.dir, `${pad(id)}.seg`);
    const seg: Segment = {
      id,
      path,
      ackPath: join(this.opts.dir, `${pad(id)}.ack`),
      records: [],
      count: 0,
      durable: 0,
      acked: new Set(),
      bytes: 0,
      written: 0,
      sealed: false,
      fd: openSync(path, 'a'),
      ackFd: undefined,
    };
    this.segments.push(seg);
    return seg;
  }

  /** Seals the active segment: flush what is buffered and sync it, so sealed means durable. */
  private roll(): void {
    const seg = this.segments.at(-1)!;
    const fd = seg.fd!;
    this.writePending(seg);
    if (this.fsync) fdatasyncSync(fd);
    // A commit may still be syncing this fd: close it once that is over.
    if (this.committing) void this.committing.finally(() => closeSync(fd)).catch(() => {});
    else closeSync(fd);
    seg.fd = undefined;
    seg.durable = seg.count;
    seg.sealed = true;
    // Keep its records in memory only while the send cursor is inside it.
    if (this.segments[this.cursor.seg] !== seg) seg.records = undefined;
    if (seg.acked.size === seg.count) this.deleteSegment(seg);
  }

  /**
   * Writes the buffered records. On failure (disk full, I/O error) the file is cut back to its
   * last good size and the records stay buffered for the next commit, so a half-written record
   * never sits in front of later ones.
   */
  private writePending(seg: Segment): void {
    if (this.pending.length === 0) return;
    const buf = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending);
    try {
      writeAll(seg.fd!, buf);
    } catch (err) {
      try {
        ftruncateSync(seg.fd!, seg.written);
      } catch {
        // the next start truncates the torn tail by CRC anyway
      }
      throw err;
    }
    seg.written += buf.length;
    this.pending = [];
  }

  private enforceBudget(): void {
    while (this.totalBytes > this.opts.budgetBytes && this.segments.length > 1 && this.segments[0]!.sealed) {
      const seg = this.segments[0]!;
      const lost = seg.count - seg.acked.size;
      this.deleteSegment(seg);
      if (lost > 0) {
        this.droppedBatches += lost;
        this.opts.logger?.error(
          { code: EdgeErrorCode.QueueFull, droppedBatches: lost, droppedTotal: this.droppedBatches, segment: seg.path },
          `OUTBOUND QUEUE FULL: disk budget of ${this.opts.budgetBytes} bytes exceeded; dropped the ${lost} oldest unsent batches`,
        );
        this.opts.onDrop?.(lost, seg.path);
      }
    }
  }

  private deleteSegment(seg: Segment): void {
    const i = this.segments.indexOf(seg);
    if (i < 0) return;
    // The newest seqs may live only in this segment: checkpoint them before it goes.
    this.saveCheckpoint();
    if (seg.fd !== undefined) closeSync(seg.fd);
    if (seg.ackFd !== undefined) closeSync(seg.ackFd);
    rmSync(seg.path, { force: true });
    rmSync(seg.ackPath, { force: true });
    this.pendingAcks.delete(seg);
    this.segments.splice(i, 1);
    this.totalBytes -= seg.bytes;
    if (this.cursor.seg > i) this.cursor.seg--;
    else if (this.cursor.seg === i) this.cursor.index = 0;
  }

  private flushAcks(): void {
    for (const [seg, list] of this.pendingAcks) {
      const buf = Buffer.allocUnsafe(list.length * 4);
      for (let k = 0; k < list.length; k++) buf.writeUInt32LE(list[k]!, k * 4);
      seg.ackFd ??= openSync(seg.ackPath, 'a');
      writeAll(seg.ackFd, buf);
    }
    this.pendingAcks.clear();
  }

  private load(seg: Segment): StoredRecord[] {
    if (!seg.records) seg.records = parseSegment(readFileSync(seg.path)).records.slice(0, seg.count);
    return seg.records;
  }

  /** Frees the records of a sealed segment the cursor has passed (reloaded on rewind). */
  private release(seg: Segment): void {
    if (seg.sealed) seg.records = undefined;
  }

  private saveCheckpoint(): void {
    const file = join(this.opts.dir, 'seq.json');
    const tmp = `${file}.tmp`;
    const fd = openSync(tmp, 'w');
    writeAll(fd, Buffer.from(JSON.stringify(Object.fromEntries(this.seqs))));
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, file);
  }

  private recover(): void {
    mkdirSync(this.opts.dir, { recursive: true });
    const scan = scanQueueDir(this.opts.dir);
    if (scan.checkpointError !== undefined) {
      this.opts.logger?.warn(
        { err: scan.checkpointError, file: join(this.opts.dir, 'seq.json') },
        'seq checkpoint unreadable; using the queue contents only',
      );
    }
    for (const [device, seq] of Object.entries(scan.lastSeq)) this.seqs.set(device, seq);
    for (const { id, path, ackPath, parsed, fileBytes, acked } of scan.segments) {
      if (parsed.torn) {
        this.opts.logger?.warn(
          { segment: path, validBytes: parsed.validBytes, fileBytes },
          'queue segment ends in a torn or corrupt record (agent died mid-write); truncating it there',
        );
        const fd = openSync(path, 'r+');
        ftruncateSync(fd, parsed.validBytes);
        closeSync(fd);
      }
      const seg: Segment = {
        id,
        path,
        ackPath,
        records: undefined,
        count: parsed.records.length,
        durable: parsed.records.length,
        acked,
        bytes: parsed.validBytes,
        written: parsed.validBytes,
        sealed: true,
        fd: undefined,
        ackFd: undefined,
      };
      this.segments.push(seg);
      this.totalBytes += seg.bytes;
      if (acked.size === seg.count) this.deleteSegment(seg);
    }
    if (this.segments.length > 0) {
      this.opts.logger?.info(
        { segments: this.segments.length, batches: this.depth, bytes: this.totalBytes },
        'recovered outbound queue from disk',
      );
    }
  }
}

function writeAll(fd: number, buf: Buffer): void {
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
}

function deviceOf(topic: string): string | undefined {
  const t = parseMqttTopic(topic);
  return t?.kind === 'samples' ? t.deviceId : undefined;
}

interface ScannedSegment {
  id: number;
  path: string;
  ackPath: string;
  fileBytes: number;
  parsed: ParsedSegment;
  /** Acknowledged record indexes (only those that exist in the segment). */
  acked: Set<number>;
}

/**
 * Reads the queue folder without changing it: the seq checkpoint, then every segment in order
 * with its acknowledgements, and the highest seq queued per device.
 */
function scanQueueDir(dir: string): {
  segments: ScannedSegment[];
  lastSeq: Record<string, number>;
  checkpointError?: unknown;
} {
  const lastSeq: Record<string, number> = {};
  let checkpointError: unknown;
  const checkpoint = join(dir, 'seq.json');
  if (existsSync(checkpoint)) {
    try {
      for (const [k, v] of Object.entries(JSON.parse(readFileSync(checkpoint, 'utf8')) as Record<string, unknown>)) {
        if (typeof v === 'number') lastSeq[k] = v;
      }
    } catch (err) {
      checkpointError = err;
    }
  }
  const ids = readdirSync(dir)
    .map((f) => SEG_RE.exec(f)?.[1])
    .filter((x): x is string => x !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  const segments = ids.map((id): ScannedSegment => {
    const path = join(dir, `${pad(id)}.seg`);
    const ackPath = join(dir, `${pad(id)}.ack`);
    const buf = readFileSync(path);
    const parsed = parseSegment(buf);
    const acked = existsSync(ackPath) ? parseAcks(readFileSync(ackPath)) : new Set<number>();
    for (const i of acked) if (i >= parsed.records.length) acked.delete(i);
    for (const r of parsed.records) {
      const device = deviceOf(r.topic);
      if (device) lastSeq[device] = Math.max(r.seq, lastSeq[device] ?? -1);
    }
    return { id, path, ackPath, fileBytes: buf.length, parsed, acked };
  });
  return { segments, lastSeq, ...(checkpointError === undefined ? {} : { checkpointError }) };
}

/**
 * Reads the queue folder without changing it (for `edge status` while the agent is not running,
 * and for tests): unacknowledged batches, bytes, and the highest seq queued per device.
 */
export function queueDepthOnDisk(dir: string): { batches: number; bytes: number; lastSeq: Record<string, number> } {
  if (!existsSync(dir)) return { batches: 0, bytes: 0, lastSeq: {} };
  const { segments, lastSeq } = scanQueueDir(dir);
  let batches = 0;
  let bytes = 0;
  for (const seg of segments) {
    batches += seg.parsed.records.length - seg.acked.size;
    bytes += seg.fileBytes;
  }
  return { batches, bytes, lastSeq };
}
