import { describe, expect, it } from 'vitest';
import { capacityPlan, type Figures, loadFigures } from '../src/index.js';
import { repoRoot } from './support.js';

/** Round numbers so every figure of the plan can be checked by hand. */
const FIGURES: Figures = {
  mqtt: { ingestCpuCores: 1, ingestMsgsPerSec: 10_000 }, // 100 µs per 10-sample publish
  ingest: { ingestCpuCores: 1, batchesPerSec: 2_000 }, // 500 µs per 100-sample publish
  sink: { sinkCpuCores: 1, sinkRowsPerSec: 100_000 }, // 10 µs per row
  stream: { bareParseSamplesPerSec: 1_000_000, workerCpuCores: 1, workerRecordsPerSec: 50_000 }, // 10 µs parse, 20 µs per record
  fanout: { ws10kFramesPerServerCpuSec: 500_000 }, // 2 µs per frame
  'questdb-raw': { rowsPerSec: 80_000 },
};

describe('capacity plan', () => {
  it('derives replicas and partitions from the figures (prod: 100k athletes at 4 Hz, 1-core requests)', () => {
    const p = capacityPlan(FIGURES, 'prod', () => 1);
    expect(p.recordsPerSec).toBe(400_000);
    const t = Object.fromEntries(p.tiers.map((x) => [x.deployable, x]));
    // ingest: 400/90 µs per sample, 100 - 10 × that per publish → 60 µs at 1 sample → 11,666/s at 70 %
    expect(t.ingest!.coreMicros).toBeCloseTo(60, 6);
    expect(t.ingest!.perReplica).toBe(11_666);
    expect(t.ingest).toMatchObject({ needed: 35, min: 6, max: 53 });
    // sink: 10 µs parse + 10 µs per row → 35,000/s → 12 needed
    expect(t.sink).toMatchObject({ perReplica: 35_000, needed: 12, min: 6, max: 18, lagPerReplica: 105_000 });
    // worker: 20 µs per record → 35,000/s
    expect(t['stream-worker']).toMatchObject({ perReplica: 35_000, needed: 12, max: 18 });
    // live: 2 µs per frame → 350,000/s → 2 needed, 3 minimum in prod
    expect(t.live).toMatchObject({ perReplica: 350_000, needed: 2, min: 3, max: 3 });
    expect(p.partitions).toEqual({ metricsReceived: 36, statsUpdated: 18 });
    expect(p.liveInputCoresPerReplica).toBeCloseTo(4, 6);
    expect(p.liveAthletesCeiling).toBe(17_500);
    // at a 1 s flush a publish carries 4 samples: 73.3 µs, 9,545/s per replica, 100,000 publishes/s → 11
    expect(p.ingestNeededAtOneSecondFlush).toBe(11);
  });

  it('follows the benchmark results: a faster worker needs fewer replicas', () => {
    const faster = { ...FIGURES, stream: { ...FIGURES.stream!, workerRecordsPerSec: 100_000 } };
    const a = capacityPlan(FIGURES, 'prod', () => 1).tiers.find((x) => x.deployable === 'stream-worker')!;
    const b = capacityPlan(faster, 'prod', () => 1).tiers.find((x) => x.deployable === 'stream-worker')!;
    expect(b.needed).toBe(Math.ceil(a.needed / 2));
  });

  it('reads every figure it needs from benchmarks/results', () => {
    const p = capacityPlan(loadFigures(repoRoot), 'prod', () => 1);
    for (const t of p.tiers) expect(t.perReplica, t.deployable).toBeGreaterThan(0);
    expect(() => capacityPlan({ ...FIGURES, sink: {} }, 'prod', () => 1)).toThrow(/sinkCpuCores/);
  });
});
