import type { Benchmark } from '../benchmark.js';
import { BATCH_HZ, SAMPLES_PER_BATCH, ServiceMeter, startE2eLoad, startPipeline } from '../pipeline.js';
import { procCpuSeconds } from '../proc.js';
import { camel, round, type Series } from '../stats.js';

const E2E_DEFAULT_RATE = 50_000;

/**
 * Sample published at the edge → stats frame received by a WebSocket client, with the whole
 * pipeline running (ingest → Kafka → stream worker → Kafka → live server), at a fixed offered
 * rate. See load/e2e-receiver.ts for how each batch is timed.
 */
export const e2e: Benchmark = {
  name: 'e2e',
  description:
    'The data path of the main job (`@wattstream/launcher` with PIPELINE_SERVICES: users, ingest, sink, stream worker, live server, ' +
    'a 2-athlete simulated fleet; `BENCH_PIPELINE_SERVICES=` for the whole main job; ' +
    'fresh Kafka and QuestDB) with edges publishing QoS 1 batches of ' +
    `${SAMPLES_PER_BATCH} samples every ${1000 / BATCH_HZ} ms per athlete on a fixed schedule (\`--rate\` samples/s, default ` +
    `${E2E_DEFAULT_RATE.toLocaleString('en-US')}), and WebSocket clients following every athlete on the live server. ` +
    'Latency per batch from its scheduled publish time (= its newest sample `ts`) to the first stats frame whose `ts` covers ' +
    'it, measured on the same machine clock.',
  async run(ctx) {
    const rate = ctx.opts.rate ?? (ctx.smoke ? 400 : E2E_DEFAULT_RATE);
    const p = await startPipeline(ctx, 'e2e');
    const meter = new ServiceMeter(await p.pids());
    const run = await startE2eLoad(ctx, p, rate, { warmupMs: ctx.warmupMs, durationMs: ctx.durationMs, windowS: 1 });
    const { shape } = run;
    ctx.log(
      `${shape.athletes} athletes on ${shape.edges} edges, ${shape.publishesPerSec} publishes/s, ${shape.samplesPerSec} samples/s …`,
    );
    const p99: Series = { name: 'visibility p99 (1 s windows)', unit: 'ms', points: [] };
    const frames: Series = { name: 'stats frames/s', unit: 'frames/s', points: [] };
    let lastFrames: { at: number; frames: number } | undefined;
    run.receiver.onMessage((m) => {
      if (m.type !== 'tick') return;
      const t = round((m.at - run.t0) / 1000);
      if (m.windowCount > 0) p99.points.push([t, round(m.windowP99Ms, 1)]);
      if (lastFrames)
        frames.points.push([t, Math.round(((m.frames - lastFrames.frames) * 1000) / (m.at - lastFrames.at))]);
      lastFrames = m;
    });
    let cores: Record<string, number> = {};
    const loadRun = run.load.run(ctx.durationMs, ctx.warmupMs, 'acknowledged publishes', undefined, run.t0);
    // CPU of the services and of the load generator over the measured window (after the warm-up)
    let loadCpu0 = { at: performance.now(), cpu: procCpuSeconds(run.load.pid) };
    setTimeout(
      () => {
        meter.reset();
        loadCpu0 = { at: performance.now(), cpu: procCpuSeconds(run.load.pid) };
      },
      run.t0 - (performance.timeOrigin + performance.now()) + ctx.warmupMs,
    );
    const loaded = await loadRun;
    cores = meter.cores();
    const loadGenCpuCores = (procCpuSeconds(run.load.pid) - loadCpu0.cpu) / ((performance.now() - loadCpu0.at) / 1000);
    const rss = meter.rssMb();
    const r = await run.receiver.next('result', 120_000);
    const v = r.visibility;
    const figures: Record<string, number> = {
      offeredSamplesPerSec: shape.samplesPerSec,
      ackedSamplesPerSec: Math.round(loaded.ackedPerSec * shape.samplesPerBatch),
      loadGenCpuCores: round(loadGenCpuCores, 2),
      athletes: shape.athletes,
      e2eP50Ms: round(v.p50, 1),
      e2eP95Ms: round(v.p95, 1),
      e2eP99Ms: round(v.p99, 1),
      e2eMaxMs: round(v.max, 1),
      frameAgeP50Ms: round(r.frameAge.p50, 1),
      frameAgeP99Ms: round(r.frameAge.p99, 1),
      pubackP99Ms: round(loaded.done.latency.p99, 1),
      statsFramesPerSec: Math.round(r.framesInWindow / (ctx.durationMs / 1000)),
      batchesSeenPct: round((100 * r.batchesSeen) / Math.max(1, r.batchesExpected), 2),
    };
    for (const [name, c] of Object.entries(cores)) figures[`${camel(name)}CpuCores`] = c;
    for (const [name, m] of Object.entries(rss)) figures[`${camel(name)}RssMb`] = m;
    return {
      figures,
      ratios: { ackedToOffered: round(loaded.ackedPerSec / shape.publishesPerSec, 3) },
      targets: [
        {
          name: `sensor-to-browser p99 ≤ 200 ms at ${shape.samplesPerSec.toLocaleString('en-US')} samples/s (issue 5)`,
          figure: 'e2eP99Ms',
          op: '<=',
          threshold: 200,
        },
        { name: 'every batch published reached the browser', figure: 'batchesSeenPct', op: '>=', threshold: 99.9 },
      ],
      charts: [
        {
          kind: 'percentile',
          title: `Edge publish → WebSocket frame at ${shape.samplesPerSec.toLocaleString('en-US')} samples/s`,
          yLabel: 'ms',
          curves: [
            { name: 'per batch (visibility)', points: r.visibilityCurve },
            { name: 'per frame (age of newest)', points: r.frameAgeCurve },
          ],
        },
        {
          kind: 'line',
          title: 'Latency p99 over time',
          xLabel: 's since the schedule started',
          yLabel: 'ms',
          series: [p99],
        },
        { kind: 'line', title: 'Stats frames received', xLabel: 's', yLabel: 'frames/s', series: [frames] },
      ],
      notes: [
        `${shape.athletes} athletes, ${shape.edges} edge connections (${shape.perEdge} athletes each), one device per athlete ` +
          `publishing ${SAMPLES_PER_BATCH} samples every ${1000 / BATCH_HZ} ms, as an edge flushes. The stream worker emits at ` +
          'most 4 stats per second per athlete, so a batch that arrives just after an emission waits for the next one: ' +
          'the visibility latency includes up to 250 ms of that coalescing by design.',
        'Services are not pinned (the whole pipeline shares both cores with Kafka and QuestDB); the publishers and the ' +
          'receiver are pinned to core 1.',
      ],
    };
  },
};
