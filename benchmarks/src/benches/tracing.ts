import { join } from 'node:path';
import { ZipkinNode } from '@wattstream/infra';
import { freePort } from '@wattstream/infra/testing';
import { builtCommit } from '../baseline.js';
import type { Benchmark } from '../benchmark.js';
import type { BenchContext } from '../context.js';
import { CAPACITY_SAMPLES_PER_BATCH, capacityLoad, MqttLoad } from '../load/mqtt-driver.js';
import type { MqttConnSpec } from '../load/mqtt-load.js';
import { edgeConnections, scratch, startIngest } from '../services.js';
import { round, type Series } from '../stats.js';

const CONNECTIONS = 16;
const SAMPLES = CAPACITY_SAMPLES_PER_BATCH;
/** The last commit before OpenTelemetry came in (b8c42ad is the first with it). */
const DEFAULT_BASELINE = '76b1183';
const ROUNDS = 2;

type Variant = 'baseline' | 'off' | 'on';

interface Phase {
  variant: Variant;
  samplesPerSec: number;
  samplesPerCpuSec: number;
}

/** One phase: a fresh ingest of `pkg` with `env`, the capacity load for warm-up + duration. */
async function phase(
  ctx: BenchContext,
  o: { variant: Variant; pkg: string; env: Record<string, string>; kafka: Record<string, string>; dataDir: string },
  conns: MqttConnSpec[],
  series: Series,
  offsetS: number,
): Promise<Phase> {
  const ing = await startIngest(ctx, o.kafka, o.dataDir, o.env, o.pkg);
  const load = await MqttLoad.connect(ctx, `tracing load (${o.variant})`, {
    ...capacityLoad(ing.mqttUrl, conns),
    traceparent: o.variant === 'on',
  });
  const started = Date.now();
  let steady: { cpu: number; acked: number } | undefined;
  const origin = { cpu: ing.svc.cpuSeconds(), acked: 0, at: started };
  let last = origin;
  const run = await load.run(ctx.durationMs, ctx.warmupMs, o.variant, (t) => {
    const now = { cpu: ing.svc.cpuSeconds(), acked: t.acked, at: t.at };
    if (now.at > last.at) {
      series.points.push([
        round(offsetS + (now.at - started) / 1000, 1),
        Math.round(((now.acked - last.acked) * SAMPLES) / Math.max(0.001, now.cpu - last.cpu)) || 0,
      ]);
    }
    if (!steady && t.at - started >= ctx.warmupMs) steady = now;
    last = now;
  });
  await load.stop();
  await ing.svc.stop();
  // a short (smoke) phase can end on the tick that crossed the warm-up: then measure from the start
  const from = steady && last.acked > steady.acked ? steady : origin;
  if (last.acked <= from.acked) throw new Error(`tracing ${o.variant} phase: ingest acknowledged no batch`);
  const cpu = Math.max(0.001, last.cpu - from.cpu);
  return {
    variant: o.variant,
    samplesPerSec: Math.round(run.ackedPerSec * SAMPLES),
    samplesPerCpuSec: Math.round(((last.acked - from.acked) * SAMPLES) / cpu),
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/**
 * What tracing costs ingest, side by side in one run on one broker: the commit before tracing
 * existed (`BENCH_TRACING_BASELINE`), this build with tracing off (the default), and this build
 * with every batch traced (a sampled `traceparent` in each batch, spans exported to a real Zipkin).
 * Phases alternate (baseline, off, on, baseline, off, on) so drift of the machine hits each alike;
 * the figure compared is ingest's own CPU per sample, which another process's load moves least.
 */
export const tracing: Benchmark = {
  name: 'tracing',
  description:
    `\`ingest serve\` under the ingest benchmark's load (${CONNECTIONS} QoS 1 connections, batches of ${SAMPLES}), ` +
    `${ROUNDS} rounds of three phases with a fresh ingest each: the commit before tracing (BENCH_TRACING_BASELINE, default ${DEFAULT_BASELINE}), ` +
    'this build with tracing off, and this build with every batch traced into Zipkin. Samples per ingest CPU-second compared.',
  async run(ctx) {
    const { env: kafka, dir } = await ctx.infra();
    const dataDir = scratch(dir, 'tracing');
    const { conns } = await edgeConnections(dataDir, {
      edges: CONNECTIONS,
      athletesPerEdge: 1,
      prefix: 'tr',
      credentials: true,
    });
    const notes: string[] = [];
    // the smoke run proves the harness with this build standing in for the baseline (no build of another commit)
    let baselinePkg = 'ingest';
    if (ctx.smoke) {
      notes.push('smoke run: the baseline phases ran this build (no other commit was built)');
    } else {
      const ref = process.env.BENCH_TRACING_BASELINE || DEFAULT_BASELINE;
      const built = await builtCommit(ref, (m) => ctx.log(m));
      if ('missing' in built) throw new Error(built.missing);
      baselinePkg = join(built.root, 'ingest');
      notes.push(`baseline: commit ${built.sha.slice(0, 12)} (${ref}), built in ${built.root}`);
    }
    const zipkin = new ZipkinNode({ dir: scratch(dir, 'zipkin'), port: await freePort(), maxSpans: 50_000 });
    ctx.onCleanup(async () => {
      await zipkin.stop();
    });
    await zipkin.start();
    const on = {
      OTEL_TRACES_EXPORTER: 'zipkin',
      OTEL_EXPORTER_ZIPKIN_ENDPOINT: zipkin.spansEndpoint,
      OTEL_TRACES_SAMPLER_ARG: '1',
    };
    const variants: { variant: Variant; pkg: string; env: Record<string, string> }[] = [
      { variant: 'baseline', pkg: baselinePkg, env: {} },
      { variant: 'off', pkg: 'ingest', env: {} },
      { variant: 'on', pkg: 'ingest', env: on },
    ];
    const series = Object.fromEntries(
      variants.map((v) => [v.variant, { name: v.variant, unit: 'samples/CPU-s', points: [] } as Series]),
    ) as Record<Variant, Series>;
    const phases: Phase[] = [];
    const t0 = Date.now();
    for (let r = 0; r < (ctx.smoke ? 1 : ROUNDS); r++) {
      for (const v of variants) {
        ctx.log(`round ${r + 1}: ${v.variant}`);
        phases.push(await phase(ctx, { ...v, kafka, dataDir }, conns, series[v.variant], (Date.now() - t0) / 1000));
      }
    }
    const of = (v: Variant, k: keyof Omit<Phase, 'variant'>) =>
      median(phases.filter((p) => p.variant === v).map((p) => p[k]));
    const perCpu = {
      baseline: of('baseline', 'samplesPerCpuSec'),
      off: of('off', 'samplesPerCpuSec'),
      on: of('on', 'samplesPerCpuSec'),
    };
    const traces = await fetch(`${zipkin.url}/api/v2/services`).then((r) => r.json() as Promise<string[]>);
    notes.push(
      `Zipkin received spans from: ${traces.join(', ') || 'nobody'}; per phase (samples/s, samples/CPU-s): ${phases
        .map((p) => `${p.variant} ${p.samplesPerSec}/${p.samplesPerCpuSec}`)
        .join(', ')}`,
    );
    return {
      figures: {
        baselineSamplesPerSec: of('baseline', 'samplesPerSec'),
        offSamplesPerSec: of('off', 'samplesPerSec'),
        onSamplesPerSec: of('on', 'samplesPerSec'),
        baselineSamplesPerCpuSec: perCpu.baseline,
        offSamplesPerCpuSec: perCpu.off,
        onSamplesPerCpuSec: perCpu.on,
      },
      ratios: {
        offToBaselineCpu: round(perCpu.off / perCpu.baseline, 3),
        onToOffCpu: round(perCpu.on / perCpu.off, 3),
        offToBaselineThroughput: round(of('off', 'samplesPerSec') / of('baseline', 'samplesPerSec'), 3),
      },
      targets: [
        {
          name: 'tracing off costs < 3 % of ingest CPU per sample (issue 17)',
          figure: 'offToBaselineCpu',
          op: '>=',
          threshold: 0.97,
        },
      ],
      charts: [
        {
          kind: 'line',
          title: 'ingest samples per CPU-second, per phase (alternating)',
          xLabel: 's since the first phase',
          yLabel: 'samples/CPU-s',
          series: variants.map((v) => series[v.variant]),
        },
      ],
      notes,
    };
  },
};
