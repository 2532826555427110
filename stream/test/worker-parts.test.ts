import {
  batchContentHash,
  canonicalSampleBatch,
  kafkaTopics,
  type MetricsReceived,
  metricsReceivedCeId,
} from '@wattstream/contracts';
import type { Producer } from '@wattstream/platform';
import { describe, expect, it } from 'vitest';
import { newOutbox, PartitionState, Processor } from '../src/processor.js';
import { encodeState, STATE_FORMAT_VERSION } from '../src/state-codec.js';
import { streamTopics } from '../src/topics.js';
import {
  commitPlan,
  isFenced,
  type Part,
  PartitionTable,
  planCommit,
  StatsEmitter,
  stateFromSnapshots,
} from '../src/worker.js';
import { testLogger } from './helpers/kafka.js';

/**
 * The stream worker's parts without Kafka: ownership, the per-partition transaction, the stats
 * coalescing and the restore from snapshots. The worker tests run them together on real Kafka.
 */
const topics = streamTopics('t.');
const processor = () =>
  new Processor(
    { sessionGapMs: 60_000, latenessMs: 5000, maxFutureSkewMs: 30_000, idleStateTtlMs: 3_600_000 },
    { get: () => undefined },
  );
const T0 = 1_764_000_000_000;

/** The ce_id ingest gives the batch (contracts' batch identity). */
const ceIdOf = (b: MetricsReceived) =>
  metricsReceivedCeId(
    b.athleteId,
    b.deviceId,
    b.seq,
    batchContentHash(canonicalSampleBatch({ seq: b.seq, samples: b.samples })),
  );

function batchOf(athleteId: string, seq: number, n = 4): MetricsReceived {
  return {
    athleteId,
    deviceId: 'pm',
    edgeId: 'e1',
    seq,
    samples: Array.from({ length: n }, (_, i) => ({ ts: T0 + seq * 1000 + i * 250, power: 200 + i, hr: 140 })),
  };
}

/** A part holding the state of `athletes` after one batch each, with its outbox as the processor left it. */
function partWith(p: number, athletes: string[], tx: Part['tx'] = {} as Producer): { part: Part; proc: Processor } {
  const proc = processor();
  const state = new PartitionState(p);
  const outbox = newOutbox();
  for (const a of athletes) {
    const b = batchOf(a, 0);
    expect(proc.apply(state, b, T0 + 1000, outbox, ceIdOf(b))).toBe(true);
  }
  return { part: { tx, state, next: 10, caughtUp: true, outbox, offsetPending: true }, proc };
}

describe('PartitionTable', () => {
  it('drops every part on a rebalance and keeps only assigned partitions after the join, releasing what it drops', () => {
    const released: Part[] = [];
    const t = new PartitionTable((p) => released.push(p), testLogger);
    const a = partWith(0, ['a']).part;
    const b = partWith(1, ['b']).part;
    t.assign([1, 0]);
    expect(t.assigned).toEqual([0, 1]);
    t.parts.set(0, a);
    t.parts.set(1, b);
    t.assign([1, 2]);
    expect(released).toEqual([a]);
    expect(t.owned()).toEqual([1]);
    expect(t.missing()).toEqual([2]);
    t.startRebalance();
    expect(t.rebalancing).toBe(true);
    expect(released).toEqual([a, b]);
    expect(t.owned()).toEqual([]);
  });

  it('drops a fenced part only when it is still the one held', () => {
    const t = new PartitionTable(() => {}, testLogger);
    const old = partWith(0, ['a']).part;
    const fresh = partWith(0, ['a']).part;
    t.parts.set(0, fresh);
    t.drop(0, old);
    expect(t.parts.get(0)).toBe(fresh);
  });
});

describe('the per-partition commit', () => {
  it('plans session events, snapshots and the offset, with CloudEvents headers, and nothing when idle', () => {
    const { part } = partWith(3, ['a', 'b']);
    const plan = planCommit(3, part, topics, T0 + 5000)!;
    const [started, , changelog] = plan.outputs;
    expect(started?.[0]).toBe(topics.started);
    expect(started?.[1].map((m) => m.key).sort()).toEqual(['a', 'b']);
    expect(started?.[1][0]?.headers).toMatchObject({ ce_type: kafkaTopics.trainingStarted.name, ce_source: '/stream' });
    expect(changelog?.[1].every((m) => m.partition === 3)).toBe(true);
    const snap = JSON.parse(changelog?.[1][0]?.value ?? '{}');
    expect(snap).toMatchObject({ v: STATE_FORMAT_VERSION, athleteId: changelog?.[1][0]?.key });
    expect(plan.offset).toBe('10');
    expect(plan.counts).toEqual({ started: 2, completed: 0, snapshots: 2 });
    part.outbox = newOutbox();
    part.offsetPending = false;
    expect(planCommit(3, part, topics, T0)).toBeUndefined();
  });

  it('commits in one transaction and empties the outbox; aborts on failure and says when it was fenced', async () => {
    const calls: string[] = [];
    const tx = (fail?: Error) =>
      ({
        transaction: async () => ({
          send: async ({ topic }: { topic: string }) => {
            calls.push(`send ${topic}`);
            if (fail && topic === topics.changelog) throw fail;
          },
          sendOffsets: async () => void calls.push('offsets'),
          commit: async () => void calls.push('commit'),
          abort: async () => void calls.push('abort'),
        }),
      }) as unknown as Producer;
    const ok = partWith(0, ['a'], tx()).part;
    const input = { groupId: 'g', topic: topics.metrics, partition: 0 };
    expect(await commitPlan(ok, planCommit(0, ok, topics, T0)!, input)).toEqual({ ok: true });
    // no session completed: nothing is sent to that topic
    expect(calls).toEqual([`send ${topics.started}`, `send ${topics.changelog}`, 'offsets', 'commit']);
    expect(ok.outbox.started).toEqual([]);
    expect(ok.offsetPending).toBe(false);

    calls.length = 0;
    const fenced = Object.assign(new Error('fenced'), { type: 'PRODUCER_FENCED' });
    const bad = partWith(0, ['a'], tx(fenced)).part;
    const r = await commitPlan(bad, planCommit(0, bad, topics, T0)!, input);
    expect(r).toMatchObject({ ok: false, fenced: true });
    expect(calls.at(-1)).toBe('abort');
    expect(bad.outbox.started).toHaveLength(1); // kept: the work was never visible
    expect(isFenced(new Error('broker down'))).toBe(false);
  });
});

describe('StatsEmitter', () => {
  it('sends at most one record per athlete per interval, the latest, and never two sends at once', async () => {
    const { part, proc } = partWith(0, ['a', 'b']);
    let release: () => void = () => {};
    const sent: string[][] = [];
    const emitter = new StatsEmitter(
      proc,
      250,
      async (m) => {
        sent.push(m.map((x) => x.key));
        await new Promise<void>((r) => {
          release = r;
        });
      },
      () => {},
    );
    expect(emitter.tick([part], 10_000)).toBe(2);
    // more input for a while the first send is in flight: nothing is sent meanwhile
    const outbox = newOutbox();
    proc.apply(part.state, batchOf('a', 1), T0 + 2000, outbox, ceIdOf(batchOf('a', 1)));
    expect(emitter.tick([part], 10_300)).toBe(0);
    release();
    await emitter.settled();
    // within the interval of its last record, a is held back; after it, sent once
    expect(emitter.due([part], 10_100)).toEqual([]);
    const later = emitter.due([part], 10_300);
    expect(later.map((m) => m.key)).toEqual(['a']);
    expect(JSON.parse(later[0]!.value)).toMatchObject({ athleteId: 'a' });
    expect(later[0]!.headers).toMatchObject({ ce_type: kafkaTopics.statsUpdated.name });
    expect(sent).toEqual([['a', 'b']]);
  });
});

describe('restore from snapshots', () => {
  it('rebuilds the athletes, sets the clock to the latest arrival, and skips an unreadable snapshot only', () => {
    const { part } = partWith(2, ['a', 'b']);
    const snaps: [string, string][] = [...part.state.athletes.values()].map((a) => [
      a.athleteId,
      JSON.stringify({ v: STATE_FORMAT_VERSION, athleteId: a.athleteId, updatedAt: 1, state: encodeState(a) }),
    ]);
    snaps.push(['broken', '{"v":1,"state":{"not":"a state"}}'], ['future', '{"v":999,"state":{}}']);
    const state = stateFromSnapshots(2, snaps, testLogger);
    expect([...state.athletes.keys()].sort()).toEqual(['a', 'b']);
    expect(state.clock).toBe(Math.max(...[...part.state.athletes.values()].map((a) => a.lastArrival)));
    expect(state.athletes.get('a')?.session?.id).toBe(part.state.athletes.get('a')?.session?.id);
  });
});
