import type { Producer } from '@wattstream/platform';
import type { Outbox, PartitionState } from '../processor.js';

/** What a worker holds for one input partition it owns. */
export interface Part {
  /**
   * The partition's transactional producer, id `STREAM_GROUP_ID-p<partition>`. Initialising it
   * bumps the id's epoch: the partition's previous owner is fenced and its open transaction
   * aborted before this worker restores, so a paused or partitioned "zombie" can never commit
   * after the partition moved (kafkajs has no KIP-447 group fencing; this is the per-partition
   * producer scheme Kafka Streams used before it).
   */
  tx: Producer;
  state: PartitionState;
  /** next input offset to apply; null until known */
  next: number | null;
  /** the latest fetch had no lag: the arrival clock may follow wall time */
  caughtUp: boolean;
  outbox: Outbox;
  offsetPending: boolean;
}

/** Bytes of record values per produce request (well under the 1 MiB max.message.bytes). */
export const MAX_REQUEST_BYTES = 512 * 1024;

/** Splits messages into groups of at most `maxBytes` of values (and keys). */
export function chunks<M extends { key?: string | null; value: string | null }>(
  messages: M[],
  maxBytes: number,
): M[][] {
  const out: M[][] = [];
  let cur: M[] = [];
  let size = 0;
  for (const msg of messages) {
    const n = (msg.value?.length ?? 0) + (msg.key?.length ?? 0) + 100;
    if (cur.length > 0 && size + n > maxBytes) {
      out.push(cur);
      cur = [];
      size = 0;
    }
    cur.push(msg);
    size += n;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}
