import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TOPIC } from '@wattstream/contracts';
import { createKafka, createLogger } from '@wattstream/platform';
import type { Benchmark } from '../benchmark.js';
import type { BenchContext } from '../context.js';
import { CAPACITY_SAMPLES_PER_BATCH, capacityLoad, MqttLoad } from '../load/mqtt-driver.js';
import { startE2eLoad, startPipeline } from '../pipeline.js';
import { procRss } from '../proc.js';
import type { BenchResultFile } from '../result.js';
import { edgeConnections } from '../services.js';
import { camel, round, type Series } from '../stats.js';

/**
 * The soak's batches have the shape its capacity was measured with (the `ingest` benchmark and the
 * in-place probe publish capacity batches): half the samples/s then means half the messages/s.
 */
const SOAK_SAMPLES_PER_BATCH = CAPACITY_SAMPLES_PER_BATCH;

/** Least-squares slope (units per second) of the points in the second half of the run. */
function secondHalfSlope(points: [number, number][]): number {
  if (points.length < 2) return 0;
  const tEnd = points.at(-1)![0];
  const half = points.filter(([t]) => t >= tEnd / 2);
  if (half.length < 2) return 0;
  const n = half.length;
  const mx = half.reduce((a, [t]) => a + t, 0) / n;
  const my = half.reduce((a, [, v]) => a + v, 0) / n;
  let num = 0;
  let den = 0;
  for (const [t, v] of half) {
    num += (t - mx) * (v - my);
    den += (t - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

function latestFigure(dir: string | undefined, name: string, figure: string): number | undefined {
  if (!dir) return undefined;
  const file = join(dir, `${name}.json`);
  if (!existsSync(file)) return undefined;
  const v = (JSON.parse(readFileSync(file, 'utf8')) as BenchResultFile).figures[figure];
  return typeof v === 'number' && v > 0 ? v : undefined;
}

/**
 * The capacity the soak runs at half of: the slowest stage measured by the latest `ingest`,
 * `sink` and `stream` results, or — without an `ingest` result — ingest saturated for 10 s
 * inside the running pipeline.
 */
async function capacity(
  ctx: BenchContext,
  p: Awaited<ReturnType<typeof startPipeline>>,
): Promise<{ samplesPerSec: number; source: string }> {
  const ingest = latestFigure(ctx.opts.resultsDir, 'ingest', 'samplesPerSec');
  if (ingest !== undefined) {
    const stages: [string, number | undefined][] = [
      ['ingest', ingest],
      ['sink', latestFigure(ctx.opts.resultsDir, 'sink', 'sinkRowsPerSec')],
      ['stream', latestFigure(ctx.opts.resultsDir, 'stream', 'workerSamplesPerSec')],
    ];
    const [name, v] = stages.filter((s): s is [string, number] => s[1] !== undefined).sort((a, b) => a[1] - b[1])[0]!;
    return {
      samplesPerSec: v,
      source: `the latest ${name} result (slowest of ${stages
        .filter((s) => s[1])
        .map((s) => s[0])
        .join(', ')})`,
    };
  }
  ctx.log('no ingest result: measuring ingest capacity inside the running pipeline (10 s) …');
  const { conns } = await edgeConnections(p.dataDir, {
    edges: 16,
    athletesPerEdge: 1,
    prefix: 'cap',
    credentials: true,
  });
  const load = await MqttLoad.connect(ctx, 'capacity probe', capacityLoad(p.info.mqttUrl, conns));
  const r = await load.run(ctx.smoke ? 1000 : 10_000, ctx.smoke ? 500 : 3000, 'probe');
  await load.stop();
  return {
    samplesPerSec: r.ackedPerSec * CAPACITY_SAMPLES_PER_BATCH,
    source: 'ingest saturated for 10 s inside the running pipeline',
  };
}

/**
 * A long run of the data path at half its measured capacity: RSS of every service,
 * consumer lag of the stream worker and the sink, and end-to-end latency over time; growth in
 * the second half is flagged by a slope test.
 */
export const soak: Benchmark = {
  name: 'soak',
  description:
    'The data path of the main job (as in `e2e`) for a long time (default 30 min; `--duration`) at half its capacity (the slowest of the ' +
    'latest `ingest`, `sink` and `stream` results, or measured in place; `--rate` samples/s overrides): RSS of each service, ' +
    'consumer lag of the stream worker and the sink, and end-to-end latency p99 over time. A least-squares slope over the ' +
    'second half flags growth.',
  defaultDurationMs: 30 * 60_000,
  async run(ctx) {
    const p = await startPipeline(ctx, 'soak');
    let rate: number;
    let source: string;
    if (ctx.opts.rate !== undefined) {
      rate = ctx.opts.rate;
      source = '--rate';
    } else if (ctx.smoke) {
      rate = 400;
      source = 'smoke';
    } else {
      const cap = await capacity(ctx, p);
      rate = Math.round(cap.samplesPerSec / 2);
      source = `half of ${Math.round(cap.samplesPerSec).toLocaleString('en-US')} samples/s, ${cap.source}`;
    }
    const intervalS = Math.max(1, Math.round(ctx.durationMs / 1000 / 300));
    const run = await startE2eLoad(
      ctx,
      p,
      rate,
      { warmupMs: ctx.warmupMs, durationMs: ctx.durationMs, windowS: intervalS },
      SOAK_SAMPLES_PER_BATCH,
    );
    ctx.log(`soak at ${run.shape.samplesPerSec} samples/s (${source}) for ${ctx.durationMs / 1000} s …`);

    const pids = await p.pids();
    const rss: Record<string, Series> = Object.fromEntries(
      Object.keys(pids).map((n) => [n, { name: n, unit: 'MB', points: [] as [number, number][] }]),
    );
    const lag: Record<string, Series> = {
      worker: { name: 'stream worker lag', unit: 'records', points: [] },
      sink: { name: 'sink lag', unit: 'records', points: [] },
    };
    const p99: Series = { name: `e2e p99 (${intervalS} s windows)`, unit: 'ms', points: [] };
    const since = () => round((performance.timeOrigin + performance.now() - run.t0) / 1000);
    run.receiver.onMessage((m) => {
      if (m.type === 'tick' && m.windowCount > 0) p99.points.push([since(), round(m.windowP99Ms, 1)]);
    });
    const kafka = createKafka({
      brokers: p.brokers.split(','),
      clientId: 'bench-soak',
      logger: createLogger('bench', 'warn'),
    });
    const admin = kafka.admin();
    await admin.connect();
    ctx.onCleanup(() => admin.disconnect());
    type Offsets = Awaited<ReturnType<typeof admin.fetchTopicOffsets>>;
    const groupLag = async (groupId: string, high: Offsets) => {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [TOPIC.metricsReceived] });
      let total = 0;
      for (const h of high) {
        const c = Number(committed?.partitions.find((x) => x.partition === h.partition)?.offset ?? -1);
        total += Math.max(0, Number(h.high) - Math.max(0, c));
      }
      return total;
    };
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        await new Promise((r) => setTimeout(r, intervalS * 1000));
        const t = since();
        if (t < 0) continue;
        for (const [n, pid] of Object.entries(pids)) rss[n]?.points.push([t, round(procRss(pid) / 1e6, 1)]);
        const high = await admin.fetchTopicOffsets(TOPIC.metricsReceived).catch(() => undefined);
        lag.worker?.points.push([t, high ? await groupLag(p.groups.worker, high).catch(() => Number.NaN) : Number.NaN]);
        lag.sink?.points.push([t, high ? await groupLag(p.groups.sink, high).catch(() => Number.NaN) : Number.NaN]);
      }
    })();
    const loaded = await run.load.run(ctx.durationMs, ctx.warmupMs, 'acknowledged publishes', undefined, run.t0);
    const r = await run.receiver.next('result', 120_000);
    sampling = false;
    await sampler;

    const figures: Record<string, number> = {
      offeredSamplesPerSec: run.shape.samplesPerSec,
      ackedSamplesPerSec: Math.round(loaded.ackedPerSec * run.shape.samplesPerBatch),
      e2eP50Ms: round(r.visibility.p50, 1),
      e2eP99Ms: round(r.visibility.p99, 1),
      e2eMaxMs: round(r.visibility.max, 1),
      batchesSeenPct: round((100 * r.batchesSeen) / Math.max(1, r.batchesExpected), 2),
    };
    let maxGrowth = 0;
    for (const [n, s] of Object.entries(rss)) {
      const pts = s.points;
      const mean = pts.reduce((a, [, v]) => a + v, 0) / Math.max(1, pts.length);
      const slopePerHour = secondHalfSlope(pts) * 3600;
      figures[`${camel(n)}RssEndMb`] = pts.at(-1)?.[1] ?? 0;
      figures[`${camel(n)}RssSlopeMbPerHour`] = round(slopePerHour, 1);
      if (mean > 0) maxGrowth = Math.max(maxGrowth, (100 * slopePerHour) / mean);
    }
    figures.rssGrowthMaxPctPerHour = round(maxGrowth, 1);
    const inputRecordsPerSec = run.shape.publishesPerSec;
    let lagGrowth = 0;
    for (const [n, s] of Object.entries(lag)) {
      const pts = s.points.filter(([, v]) => Number.isFinite(v));
      const slope = secondHalfSlope(pts);
      figures[`${n}LagEndRecords`] = pts.at(-1)?.[1] ?? 0;
      figures[`${n}LagSlopeRecordsPerMin`] = round(slope * 60, 1);
      lagGrowth = Math.max(lagGrowth, (100 * slope) / inputRecordsPerSec);
    }
    figures.lagGrowthPctOfInput = round(lagGrowth, 2);
    figures.p99SlopeMsPerMin = round(secondHalfSlope(p99.points) * 60, 2);
    return {
      figures,
      ratios: { ackedToOffered: round(loaded.ackedPerSec / run.shape.publishesPerSec, 3) },
      targets: [
        {
          name: 'no memory growth: RSS slope ≤ 10 % per hour (second half)',
          figure: 'rssGrowthMaxPctPerHour',
          op: '<=',
          threshold: 10,
        },
        {
          name: 'consumers keep up: lag slope ≤ 1 % of the input rate',
          figure: 'lagGrowthPctOfInput',
          op: '<=',
          threshold: 1,
        },
        {
          name: 'latency does not creep: p99 slope ≤ 5 ms per minute',
          figure: 'p99SlopeMsPerMin',
          op: '<=',
          threshold: 5,
        },
        { name: 'every batch reached the browser', figure: 'batchesSeenPct', op: '>=', threshold: 99.9 },
      ],
      charts: [
        { kind: 'line', title: 'RSS of each service', xLabel: 's', yLabel: 'MB', series: Object.values(rss) },
        {
          kind: 'line',
          title: 'Consumer lag on tracking.metrics.received',
          xLabel: 's',
          yLabel: 'records',
          series: Object.values(lag),
        },
        { kind: 'line', title: 'End-to-end latency p99 over time', xLabel: 's', yLabel: 'ms', series: [p99] },
      ],
      notes: [
        `Rate: ${run.shape.samplesPerSec.toLocaleString('en-US')} samples/s (${source}); ${run.shape.athletes} athletes, ` +
          `${run.shape.edges} edges, ${SOAK_SAMPLES_PER_BATCH}-sample batches every 250 ms per athlete (the shape the ` +
          `capacity was measured with); sampled every ${intervalS} s.`,
        'Growth thresholds: RSS slope relative to the mean RSS of the service; lag slope relative to the input records/s; ' +
          'a short run (or GC sawtooth) can trip them — read the plot.',
      ],
    };
  },
};
