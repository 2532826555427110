import {
  batchContentHash,
  canonicalSampleBatch,
  DEFAULT_MAX_FUTURE_SKEW_MS,
  type MetricsReceived,
  metricsReceivedCeId,
  type Sample,
} from '@wattstream/contracts';
import { describe, expect, it } from 'vitest';
import { newOutbox, PartitionState, Processor } from '../src/processor.js';
import { decodeState, encodeState } from '../src/state-codec.js';

// The processor in-process, fed as the worker feeds it: the record value, its arrival (the
// Kafka record timestamp ingest stamped) and its ce_id.

const DAY_MS = 86_400_000;
const opts = {
  sessionGapMs: 300_000,
  latenessMs: 5000,
  maxFutureSkewMs: DEFAULT_MAX_FUTURE_SKEW_MS,
  idleStateTtlMs: 6 * 3_600_000,
};

function setup() {
  const proc = new Processor(opts, { get: () => undefined });
  const ps = new PartitionState(0);
  const out = newOutbox();
  /** Applies a batch as ingest writes it: canonical content, ce_id with its content hash. */
  const send = (seq: number, samples: Sample[], arrival: number, athleteId = 'a1', deviceId = 'pm') => {
    const rec: MetricsReceived = { athleteId, deviceId, edgeId: 'e1', seq, samples };
    const id = metricsReceivedCeId(athleteId, deviceId, seq, batchContentHash(canonicalSampleBatch(rec)));
    return proc.apply(ps, JSON.parse(JSON.stringify(rec)), arrival, out, id);
  };
  return { proc, ps, out, send };
}

/** Four samples at 4 Hz ending at `end`. */
const quarterSeconds = (end: number, power = 200): Sample[] =>
  [750, 500, 250, 0].map((back) => ({ ts: end - back, power }));

describe('a sample far ahead of its arrival (a wrong clock)', () => {
  it('does not end the real session, open one dated tomorrow, or make the real-time batches late', () => {
    const { proc, ps, out, send } = setup();
    const t0 = Date.now();
    let seq = 0;
    for (let s = 1; s <= 10; s++) send(seq++, quarterSeconds(t0 + s * 1000), t0 + s * 1000 + 50);
    const real = ps.athletes.get('a1')!.session!;
    expect(out.started.map((e) => e.sessionId)).toEqual([real.id]);

    // one batch whose only sample is a day ahead, arriving now
    send(seq++, [{ ts: t0 + 11_000 + DAY_MS, power: 999 }], t0 + 11_050);
    // then the ride goes on in real time
    for (let s = 12; s <= 40; s++) send(seq++, quarterSeconds(t0 + s * 1000, 220), t0 + s * 1000 + 50);

    expect(out.completed).toHaveLength(0);
    expect(out.started.map((e) => e.sessionId)).toEqual([real.id]);
    const a = ps.athletes.get('a1')!;
    expect(a.session?.id).toBe(real.id);
    expect(proc.counters.future).toBe(1);
    expect(proc.counters.late).toBe(0);
    expect(proc.counters.samples).toBe(39 * 4);
    const live = proc.stats(a)!;
    expect(live.ts).toBe(t0 + 40_000);
    expect(live.metrics.power).toBe(220);
    expect(live.metrics.maxPower).toBe(220);
  });

  it('keeps samples within the allowed skew', () => {
    const { proc, ps, send } = setup();
    const t0 = Date.now();
    send(0, [{ ts: t0 + DEFAULT_MAX_FUTURE_SKEW_MS - 1000, power: 150 }], t0);
    expect(proc.counters.future).toBe(0);
    expect(proc.counters.samples).toBe(1);
    expect(ps.athletes.get('a1')?.session?.startTs).toBe(t0 + DEFAULT_MAX_FUTURE_SKEW_MS - 1000);
  });
});

describe('batch identity: (athleteId, deviceId, seq, content)', () => {
  const T = 1_764_000_000_000;

  it('a reused seq with other samples is another batch: its samples count (as QuestDB keeps their rows)', () => {
    const { proc, send } = setup();
    send(7, quarterSeconds(T + 1000), T + 1050);
    send(7, quarterSeconds(T + 2000, 300), T + 2050); // the same seq, other content
    expect(proc.counters.duplicateBatches).toBe(0);
    expect(proc.counters.samples).toBe(8);
  });

  it('the same batch again is a redelivery, also after the state went through the changelog', () => {
    const { proc, ps, send } = setup();
    send(7, quarterSeconds(T + 1000), T + 1050);
    send(8, quarterSeconds(T + 2000), T + 2050);
    const restored = decodeState('a1', JSON.parse(JSON.stringify(encodeState(ps.athletes.get('a1')!))));
    ps.athletes.set('a1', restored);
    send(7, quarterSeconds(T + 1000), T + 3050);
    send(8, quarterSeconds(T + 2000), T + 3050);
    expect(proc.counters.duplicateBatches).toBe(2);
    expect(proc.counters.samples).toBe(8);
    // ...while a reused seq with new samples still counts after the restore
    send(8, quarterSeconds(T + 3000), T + 3100);
    expect(proc.counters.samples).toBe(12);
  });

  it('device ids are scoped by athlete: the same device and seq of two athletes are two batches', () => {
    const { proc, ps, send } = setup();
    send(1, quarterSeconds(T + 1000), T + 1050, 'a1', 'hrm');
    send(1, quarterSeconds(T + 1000), T + 1050, 'a2', 'hrm');
    expect(proc.counters.duplicateBatches).toBe(0);
    expect(ps.athletes.get('a1')?.session?.samples).toBe(4);
    expect(ps.athletes.get('a2')?.session?.samples).toBe(4);
  });
});
