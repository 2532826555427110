import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Env, PerEnv } from './deployables.js';

/**
 * The capacity plan: the benchmark figures (benchmarks/results/*.json, one core of this project's
 * 2-core machines) → what one replica sustains → replicas and partitions for the load of each
 * environment. Every number in the README's table comes from here, so a new benchmark run and a
 * re-render move the manifests with it.
 */

/** Athletes riding at once, each sending one sample every 250 ms (4 Hz). */
export const LOAD: PerEnv<number> = { dev: 100, stage: 10_000, prod: 100_000 };
export const SAMPLE_HZ = 4;
/** The edge's default flush interval (EDGE_FLUSH_INTERVAL): one MQTT publish / Kafka record per device per flush. */
export const FLUSH_S = 0.25;
/** Viewers following each athlete on the live server (the athlete, a coach or a friend). */
export const VIEWERS_PER_ATHLETE = 1;
/** The HPA's CPU target: a replica runs at this share of its request at the planned load. */
export const TARGET_UTILIZATION = 0.7;
/** A consumer's lag is worth one more replica when it is this many seconds of one replica's work. */
export const LAG_SECONDS_PER_REPLICA = 10;
/** Replicas below which a tier has no redundancy across zones. */
export const MIN_REPLICAS: PerEnv<number> = { dev: 1, stage: 2, prod: 3 };
/** Ceiling headroom over the replicas the planned load needs (bursts, a lost zone). */
export const HEADROOM = 1.5;

export type Figures = Record<string, Record<string, number>>;

export const BENCHMARKS = ['mqtt', 'ingest', 'sink', 'stream', 'fanout', 'questdb-raw'] as const;

export function loadFigures(repoRoot: string): Figures {
  const out: Figures = {};
  for (const b of BENCHMARKS) {
    const json = JSON.parse(readFileSync(join(repoRoot, 'benchmarks/results', `${b}.json`), 'utf8')) as {
      figures: Record<string, number>;
      startedAt: string;
    };
    out[b] = { ...json.figures, startedAtMs: Date.parse(json.startedAt) };
  }
  return out;
}

const fig = (f: Figures, bench: string, name: string): number => {
  const v = f[bench]?.[name];
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw new Error(`benchmarks/results/${bench}.json has no positive figure ${name}`);
  }
  return v;
};

/** CPU cost of one unit of work in core-microseconds, and what it rests on. */
export interface UnitCost {
  /** core-µs per message/record/frame at the planned shape. */
  coreMicros: number;
  /** What is counted, plural and singular. */
  unit: string;
  one: string;
  basis: string;
}

export interface TierPlan {
  deployable: string;
  unit: string;
  one: string;
  /** Units per second at the environment's load. */
  load: number;
  coreMicros: number;
  /** Units per second one replica sustains at TARGET_UTILIZATION of its CPU request. */
  perReplica: number;
  cpuRequestCores: number;
  needed: number;
  min: number;
  max: number;
  /** KEDA lag threshold (records) for consumers. */
  lagPerReplica?: number;
  basis: string;
}

export interface CapacityPlan {
  env: Env;
  athletes: number;
  samplesPerSec: number;
  samplesPerRecord: number;
  recordsPerSec: number;
  tiers: TierPlan[];
  /** Partitions of the topics whose consumers scale out. */
  partitions: { metricsReceived: number; statsUpdated: number };
  /** Records/s every live replica must parse whatever their number (each reads the whole stats topic). */
  liveInputCoresPerReplica: number;
  /** Athletes one live replica can follow before its input alone fills TARGET_UTILIZATION of one core. */
  liveAthletesCeiling: number;
  /** Rows/s one QuestDB took on the benchmark machine (questdb-raw). */
  questdbRowsPerSec: number;
  /** ingest replicas the load needs if edges flushed once a second (4 samples per publish). */
  ingestNeededAtOneSecondFlush: number;
}

/** The measured per-unit costs, from the benchmark figures. */
export function unitCosts(f: Figures, samplesPerRecord: number) {
  // Ingest: two shapes measured (10-sample batches in `mqtt`, 100-sample in `ingest`) → a fixed
  // cost per publish plus a cost per sample, extrapolated to the planned batch size.
  const c10 = (fig(f, 'mqtt', 'ingestCpuCores') / fig(f, 'mqtt', 'ingestMsgsPerSec')) * 1e6;
  const c100 = (fig(f, 'ingest', 'ingestCpuCores') / fig(f, 'ingest', 'batchesPerSec')) * 1e6;
  const perSample = (c100 - c10) / 90;
  const perPublish = c10 - 10 * perSample;
  // A bare kafkajs consumer that JSON-parses each value (stream bench, 10-sample records, one core):
  // the floor of any consumer's cost per record.
  const parse = 1e6 / (fig(f, 'stream', 'bareParseSamplesPerSec') / 10);
  // Sink: rows per core-second with 100-sample records; per record add the parse floor.
  const sinkRow = (fig(f, 'sink', 'sinkCpuCores') / fig(f, 'sink', 'sinkRowsPerSec')) * 1e6;
  // Worker: cost of a 10-sample record (an upper bound for smaller records).
  const worker = (fig(f, 'stream', 'workerCpuCores') / fig(f, 'stream', 'workerRecordsPerSec')) * 1e6;
  // Live fan-out on `ws` (Node 24 images: uWS does not load, see k8s/README.md), 10k subscribers.
  const frame = 1e6 / fig(f, 'fanout', 'ws10kFramesPerServerCpuSec');
  return {
    ingest: {
      coreMicros: perPublish + samplesPerRecord * perSample,
      unit: 'publishes',
      one: 'publish',
      basis: `${perPublish.toFixed(1)} µs per publish + ${perSample.toFixed(2)} µs per sample (fit of mqtt: ${c10.toFixed(1)} µs at 10 samples, ingest: ${c100.toFixed(1)} µs at 100)`,
    },
    sink: {
      coreMicros: parse + samplesPerRecord * sinkRow,
      unit: 'records',
      one: 'record',
      basis: `${parse.toFixed(1)} µs parse per record (stream bare-parse consumer) + ${sinkRow.toFixed(1)} µs per row (sink)`,
    },
    'stream-worker': {
      coreMicros: worker,
      unit: 'records',
      one: 'record',
      basis: `${worker.toFixed(1)} µs per 10-sample record (stream), an upper bound for smaller records`,
    },
    live: {
      coreMicros: frame,
      unit: 'frames',
      one: 'frame',
      basis: `${frame.toFixed(2)} µs per frame (fanout, ws, 10k subscribers)`,
    },
    parse,
  } satisfies Record<string, UnitCost | number>;
}

const roundUpTo = (n: number, step: number): number => Math.ceil(n / step) * step;

export function capacityPlan(f: Figures, env: Env, cpuRequestCores: (deployable: string) => number): CapacityPlan {
  const athletes = LOAD[env];
  const samplesPerSec = athletes * SAMPLE_HZ;
  const samplesPerRecord = Math.max(1, SAMPLE_HZ * FLUSH_S);
  const recordsPerSec = samplesPerSec / samplesPerRecord;
  const costs = unitCosts(f, samplesPerRecord);
  const statsPerSec = athletes * SAMPLE_HZ; // ≤ 4 stats per athlete per second (STREAM_STATS_INTERVAL)
  const loads: Record<string, number> = {
    ingest: recordsPerSec,
    sink: recordsPerSec,
    'stream-worker': recordsPerSec,
    live: statsPerSec * VIEWERS_PER_ATHLETE,
  };
  const tiers = (['ingest', 'sink', 'stream-worker', 'live'] as const).map((name): TierPlan => {
    const c = costs[name];
    const cores = cpuRequestCores(name);
    const perReplica = Math.floor(((cores * TARGET_UTILIZATION) / c.coreMicros) * 1e6);
    const needed = Math.max(1, Math.ceil(loads[name]! / perReplica));
    const min = Math.max(MIN_REPLICAS[env], env === 'dev' ? 1 : Math.min(needed, MIN_REPLICAS[env] * 2));
    const max = Math.max(min + (env === 'dev' ? 1 : 0), Math.ceil(needed * HEADROOM));
    const consumer = name === 'sink' || name === 'stream-worker';
    return {
      deployable: name,
      unit: c.unit,
      one: c.one,
      load: loads[name]!,
      coreMicros: c.coreMicros,
      perReplica,
      cpuRequestCores: cores,
      needed,
      min,
      max,
      ...(consumer
        ? { lagPerReplica: Math.round(perReplica * (1 - TARGET_UTILIZATION) * LAG_SECONDS_PER_REPLICA) }
        : {}),
      basis: c.basis,
    };
  });
  const consumerCeiling = Math.max(...tiers.filter((t) => t.lagPerReplica !== undefined).map((t) => t.max));
  const liveInputCoresPerReplica = (statsPerSec * costs.parse) / 1e6;
  const slowFlush = unitCosts(f, SAMPLE_HZ * 1).ingest.coreMicros;
  const ingestCores = cpuRequestCores('ingest');
  return {
    env,
    athletes,
    samplesPerSec,
    samplesPerRecord,
    recordsPerSec,
    tiers,
    // Room to double the consumers without adding partitions (which would move athletes between
    // partitions, and the stream worker's changelog must keep the input's count).
    partitions: {
      metricsReceived: Math.max(6, roundUpTo(consumerCeiling * 2, 6)),
      statsUpdated: Math.max(6, roundUpTo(consumerCeiling, 6)),
    },
    liveInputCoresPerReplica,
    liveAthletesCeiling: Math.floor((TARGET_UTILIZATION * 1e6) / costs.parse / SAMPLE_HZ),
    questdbRowsPerSec: fig(f, 'questdb-raw', 'rowsPerSec'),
    ingestNeededAtOneSecondFlush: Math.ceil(
      samplesPerSec / SAMPLE_HZ / ((ingestCores * TARGET_UTILIZATION * 1e6) / slowFlush),
    ),
  };
}
