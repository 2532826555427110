import { cloudEventHeaders, kafkaTopics } from '@wattstream/contracts';
import { CompressionTypes, type Producer } from '@wattstream/platform';
import { newOutbox } from '../processor.js';
import { encodeState, STATE_FORMAT_VERSION } from '../state-codec.js';
import type { StreamTopics } from '../topics.js';
import { chunks, MAX_REQUEST_BYTES, type Part } from './part.js';

interface Message {
  key: string;
  value: string | null;
  partition?: number;
  headers: Record<string, string>;
}

/** What one partition's commit writes: session events, changed snapshots, the input offset. */
export interface CommitPlan {
  outputs: [topic: string, messages: Message[]][];
  /** The next input offset to commit with the transaction, when it moved. */
  offset: string | undefined;
  counts: { started: number; completed: number; snapshots: number };
}

/** Builds a partition's commit from its outbox; undefined when there is nothing to commit. */
export function planCommit(p: number, part: Part, topics: StreamTopics, now: number): CommitPlan | undefined {
  const event = (type: string, e: { athleteId: string; sessionId: string }): Message => {
    const traceparent = part.state.athletes.get(e.athleteId)?.traceparent;
    return {
      key: e.athleteId,
      value: JSON.stringify(e),
      headers: cloudEventHeaders({
        type,
        id: e.sessionId,
        source: '/stream',
        time: now,
        ...(traceparent === undefined ? {} : { traceparent }),
      }),
    };
  };
  const started = part.outbox.started.map((e) => event(kafkaTopics.trainingStarted.name, e));
  const completed = part.outbox.completed.map((e) => event(kafkaTopics.trainingCompleted.name, e));
  const states = [...part.outbox.changed].map((id): Message => {
    const a = part.state.athletes.get(id);
    const updatedAt = a?.lastArrival || now;
    return {
      key: id,
      partition: p,
      value: a ? JSON.stringify({ v: STATE_FORMAT_VERSION, athleteId: id, updatedAt, state: encodeState(a) }) : null,
      headers: cloudEventHeaders({
        type: kafkaTopics.athleteState.name,
        id: `${id}:${updatedAt}`,
        source: '/stream',
        time: now,
      }),
    };
  });
  const offset = part.offsetPending && part.next !== null ? String(part.next) : undefined;
  if (started.length + completed.length + states.length === 0 && offset === undefined) return undefined;
  return {
    outputs: [
      [topics.started, started],
      [topics.completed, completed],
      [topics.changelog, states],
    ],
    offset,
    counts: { started: started.length, completed: completed.length, snapshots: states.length },
  };
}

export type CommitResult = { ok: true } | { ok: false; fenced: boolean; error: Error };

/** A producer error that means another worker's producer took this transactional id over. */
export function isFenced(err: unknown): boolean {
  const type = (err as { type?: string }).type;
  return type === 'INVALID_PRODUCER_EPOCH' || type === 'PRODUCER_FENCED' || /fenced/i.test(String(err));
}

/**
 * Writes a plan in one transaction of the partition's producer: every output (one produce request
 * per chunk, so a record batch stays under max.message.bytes) and the input offset, then commit.
 * On failure the transaction is aborted; nothing of it is visible, and the partition's outbox is
 * kept for the worker to drop or redo. On success the outbox is emptied.
 */
export async function commitPlan(
  part: Part & { tx: Pick<Producer, 'transaction'> },
  plan: CommitPlan,
  input: { groupId: string; topic: string; partition: number },
): Promise<CommitResult> {
  let transaction: Awaited<ReturnType<Producer['transaction']>> | undefined;
  try {
    transaction = await part.tx.transaction();
    for (const [topic, messages] of plan.outputs) {
      for (const chunk of chunks(messages, MAX_REQUEST_BYTES)) {
        await transaction.send({ topic, messages: chunk, acks: -1, compression: CompressionTypes.LZ4 });
      }
    }
    if (plan.offset !== undefined) {
      await transaction.sendOffsets({
        consumerGroupId: input.groupId,
        topics: [{ topic: input.topic, partitions: [{ partition: input.partition, offset: plan.offset }] }],
      });
    }
    await transaction.commit();
  } catch (err) {
    await transaction?.abort().catch(() => {});
    return { ok: false, fenced: isFenced(err), error: err as Error };
  }
  part.outbox = newOutbox();
  part.offsetPending = false;
  return { ok: true };
}
