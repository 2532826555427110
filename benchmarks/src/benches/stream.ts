import { randomUUID } from 'node:crypto';
import { kafkaTopics } from '@wattstream/contracts';
import { createConsumer, createKafka, createLogger, metricFromText } from '@wattstream/platform';
import type { Benchmark } from '../benchmark.js';
import { Child, distFile } from '../child.js';
import type { BenchContext } from '../context.js';
import type { BareConsumerMsg } from '../load/bare-consumer.js';
import { fetchMetrics, sleep } from '../proc.js';
import { ensureMetricsTopic, prefillTopic, runScenario, scratch, startService } from '../services.js';
import { round, type Series } from '../stats.js';

const SAMPLES = 10;
const ATHLETES = 1000;
const PARTITIONS = 6;
/** The first part of the backlog is the warm-up, the tail is left out (stragglers, last commit). */
const FROM = 0.1;
const TO = 0.95;

interface Drain {
  /** [seconds since the consumer started, records consumed] */
  marks: [number, number][];
  cpuSeconds: number;
}

/** Steady records/s between FROM and TO of the backlog, by linear interpolation of the marks. */
function steadyRate(d: Drain, total: number): { perSec: number; seconds: number } {
  const at = (target: number) => {
    for (let i = 1; i < d.marks.length; i++) {
      const [t1, n1] = d.marks[i] as [number, number];
      const [t0, n0] = d.marks[i - 1] as [number, number];
      if (n1 >= target) return n1 === n0 ? t1 : t0 + ((target - n0) / (n1 - n0)) * (t1 - t0);
    }
    return Number.NaN;
  };
  const a = at(total * FROM);
  const b = at(total * TO);
  return { perSec: (total * (TO - FROM)) / (b - a), seconds: b - a };
}

const toSeries = (name: string, d: Drain): Series => {
  const points: [number, number][] = [];
  for (let i = 1; i < d.marks.length; i++) {
    const [t1, n1] = d.marks[i] as [number, number];
    const [t0, n0] = d.marks[i - 1] as [number, number];
    if (t1 - t0 >= 0.25) points.push([round(t1), Math.round(((n1 - n0) * SAMPLES) / (t1 - t0))]);
  }
  return { name, unit: 'samples/s', points };
};

async function bareDrain(
  ctx: BenchContext,
  brokers: string,
  topic: string,
  expected: number,
  parse: boolean,
): Promise<Drain> {
  const child = new Child<BareConsumerMsg>(
    `bare consumer${parse ? ' + JSON.parse' : ''}`,
    distFile('load/bare-consumer.js'),
    {
      pin: ctx.pin('sut'),
    },
  );
  ctx.onCleanup(() => child.stop());
  child.send({ type: 'config', config: { brokers, topic, expected, parse } });
  const done = await child.next('done', 20 * 60_000);
  return { marks: done.marks.map(([t, n]) => [t / 1000, n]), cpuSeconds: done.cpuSeconds };
}

/** Snapshot bytes per athlete in the worker's compacted changelog (latest value per key). */
async function changelogBytesPerAthlete(brokers: string, topic: string): Promise<number> {
  const kafka = createKafka({ brokers: brokers.split(','), clientId: 'bench', logger: createLogger('bench', 'warn') });
  const consumer = createConsumer(kafka, { groupId: `bench-changelog-${randomUUID()}`, readUncommitted: false });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const sizes = new Map<string, number>();
  let last = Date.now();
  void consumer.run({
    eachMessage: async ({ message }) => {
      last = Date.now();
      const key = message.key?.toString();
      if (!key || !message.value) return;
      if (message.value.includes('"athleteId"')) sizes.set(key, message.value.length);
    },
  });
  const started = Date.now();
  while (Date.now() - last < 2000 && Date.now() - started < 120_000) await sleep(250);
  await consumer.disconnect();
  return sizes.size === 0 ? Number.NaN : [...sizes.values()].reduce((a, b) => a + b, 0) / sizes.size;
}

interface StateSizeResult {
  heapBytesPerAthlete: number;
  snapshotBytesPerAthlete: number;
  gcExposed: boolean;
}

/**
 * The stream worker draining a backlog against a bare kafkajs consumer on the same topic, each
 * alone on the SUT core; state bytes per active athlete.
 */
export const stream: Benchmark = {
  name: 'stream',
  description:
    `\`stream work\` (dist, pinned to core 0) draining a backlog of ${SAMPLES}-sample records for ${ATHLETES} athletes ` +
    `(${PARTITIONS} partitions; metrics, sessions, stats, changelog and offsets in Kafka transactions) against a bare kafkajs ` +
    'consumer (platform defaults, read_committed, counts records) and one that only `JSON.parse`s each value, on the same ' +
    `topic and core; steady rate between ${FROM * 100} % and ${TO * 100} % of the backlog. State per athlete: V8 heap of ` +
    "athletes mid-ride (the package's `stream/bench/state-size.ts`, --expose-gc) and the worker's changelog snapshots.",
  async run(ctx) {
    const { env, dir } = await ctx.infra();
    const brokers = env.KAFKA_BROKERS!;
    const dataDir = scratch(dir, 'stream');
    const prefix = `bst${Date.now().toString(36)}.`;
    const topic = prefix + kafkaTopics.metricsReceived.name;
    await ensureMetricsTopic(brokers, topic, PARTITIONS);
    const records = ctx.smoke
      ? 20_000
      : Math.min(600_000, Math.max(50_000, Math.round((ctx.durationMs / 1000) * 20_000)));
    await prefillTopic(ctx, {
      brokers,
      topic,
      records,
      samplesPerRecord: SAMPLES,
      athletes: ATHLETES,
      athletePrefix: 'st-a',
      // recent event time, so sessions open and the live metrics are computed as in a ride
      t0: Date.now() - (records / ATHLETES) * SAMPLES * 250,
    });

    ctx.log('bare kafkajs consumer …');
    const bare = await bareDrain(ctx, brokers, topic, records, false);
    ctx.log('bare kafkajs consumer + JSON.parse …');
    const parse = await bareDrain(ctx, brokers, topic, records, true);

    ctx.log('stream worker …');
    const worker = await startService(ctx, {
      name: 'stream-worker',
      pkg: 'stream',
      args: ['work'],
      portEnv: 'STREAM_HTTP_PORT',
      env: {
        KAFKA_BROKERS: brokers,
        DATA_DIR: dataDir,
        STREAM_TOPIC_PREFIX: prefix,
        STREAM_GROUP_ID: `${prefix}workers`,
        STREAM_INSTANCE_ID: 'bench',
        STREAM_PARTITIONS: String(PARTITIONS),
      },
      readyPath: '/healthz',
      logDir: dataDir,
    });
    const t0 = performance.now();
    const cpu0 = worker.cpuSeconds();
    const marks: [number, number][] = [[0, 0]];
    let rss = 0;
    for (;;) {
      await sleep(200);
      const n = metricFromText(await fetchMetrics(worker.metricsUrl), 'wattstream_stream_records_total') || 0;
      rss = Math.max(rss, worker.rss());
      const t = (performance.now() - t0) / 1000;
      if (n > (marks.at(-1)?.[1] ?? 0)) marks.push([t, n]);
      if (n >= records) break;
      if (t > 30 * 60) throw new Error(`the worker processed ${n} of ${records} records in 30 min`);
    }
    const workerDrain: Drain = { marks, cpuSeconds: worker.cpuSeconds() - cpu0 };
    await sleep(1500); // let the last commit carry the snapshots
    await worker.stop();
    const snapshotBytes = await changelogBytesPerAthlete(brokers, prefix + kafkaTopics.athleteState.name);

    ctx.log('state size (stream/bench/state-size.ts) …');
    const state = await runScenario<StateSizeResult>(ctx, {
      file: 'stream/bench/state-size.ts',
      fn: 'benchStateSize',
      args: [{ athletes: ctx.smoke ? 500 : 5000 }],
      nodeArgs: ['--expose-gc'],
      pin: ctx.pin('sut'),
    });

    const w = steadyRate(workerDrain, records);
    const b = steadyRate(bare, records);
    const p = steadyRate(parse, records);
    return {
      figures: {
        workerSamplesPerSec: Math.round(w.perSec * SAMPLES),
        bareSamplesPerSec: Math.round(b.perSec * SAMPLES),
        bareParseSamplesPerSec: Math.round(p.perSec * SAMPLES),
        workerRecordsPerSec: Math.round(w.perSec),
        workerMeasuredS: round(w.seconds),
        workerCpuCores: round(workerDrain.cpuSeconds / (marks.at(-1)?.[0] ?? 1), 2),
        workerRssMaxMb: round(rss / 1e6),
        backlogRecords: records,
        stateHeapBytesPerAthlete: state.heapBytesPerAthlete,
        stateSnapshotBytesPerAthlete: Math.round(state.snapshotBytesPerAthlete),
        changelogBytesPerAthlete: Math.round(snapshotBytes),
      },
      ratios: {
        workerToBare: round(w.perSec / b.perSec, 3),
        workerToBareParse: round(w.perSec / p.perSec, 3),
      },
      targets: [
        {
          name: 'worker ≥ 300,000 samples/s on one core (issue 5)',
          figure: 'workerSamplesPerSec',
          op: '>=',
          threshold: 300_000,
        },
        {
          name: 'worker ≥ 80 % of a bare kafkajs consumer (issue 5)',
          figure: 'workerToBare',
          op: '>=',
          threshold: 0.8,
        },
        {
          name: '≤ 4 KB state per active athlete (issue 5)',
          figure: 'stateHeapBytesPerAthlete',
          op: '<=',
          threshold: 4096,
        },
      ],
      charts: [
        {
          kind: 'line',
          title: `Draining ${records.toLocaleString('en-US')} records × ${SAMPLES} samples, one core each`,
          xLabel: 's since start',
          yLabel: 'samples/s',
          series: [
            toSeries('stream worker', workerDrain),
            toSeries('bare kafkajs', bare),
            toSeries('bare + JSON.parse', parse),
          ],
        },
      ],
      notes: [
        `State: ${state.gcExposed ? '' : '(gc not exposed: heap figure is rough) '}V8 heap per athlete with 3 devices mid-ride ` +
          `(windows full, open bins); changelog: mean latest snapshot per athlete of this run (${ATHLETES} athletes).`,
      ],
    };
  },
};
