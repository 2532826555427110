import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { metricFromText } from '@wattstream/platform';
import type { Benchmark } from '../benchmark.js';
import {
  CAPACITY_PERIOD_MS,
  CAPACITY_SAMPLES_PER_BATCH,
  CAPACITY_WINDOW,
  capacityLoad,
  MqttLoad,
} from '../load/mqtt-driver.js';
import { ingestRecordValue } from '../payloads.js';
import { fetchMetrics } from '../proc.js';
import { producerPerformance } from '../producer-perf.js';
import { edgeConnections, scratch, scratchMetricsTopic, startIngest } from '../services.js';
import { GaugeSampler, round, type Series } from '../stats.js';

const CONNECTIONS = 16;
const WINDOW = CAPACITY_WINDOW;
const SAMPLES = CAPACITY_SAMPLES_PER_BATCH;
const MB = 1e6;

/**
 * Ingest end to end: QoS 1 batches of 100 samples, PUBACK only after Kafka (acks=all); ingest's
 * Kafka write rate against Kafka's own ProducerPerformance with the same records on the same
 * broker, measured one after the other in the same run; ingest RSS over time.
 */
export const ingest: Benchmark = {
  name: 'ingest',
  description:
    `\`ingest serve\` (dist, recommended heap flags, pinned to core 0) with ${CONNECTIONS} QoS 1 edge connections keeping ` +
    `${WINDOW} batches of ${SAMPLES} samples in flight each (PUBACK only after Kafka acks=all). Then Kafka's ProducerPerformance ` +
    'on the same broker with records of the same content and size (acks=all, idempotent, LZ4) for the bytes/s ratio.',
  async run(ctx) {
    const { env, dir } = await ctx.infra();
    const dataDir = scratch(dir, 'ingest');
    const { conns } = await edgeConnections(dataDir, {
      edges: CONNECTIONS,
      athletesPerEdge: 1,
      prefix: 'in',
      credentials: true,
    });
    const ing = await startIngest(ctx, env, dataDir);
    const metrics = async () => {
      const text = await fetchMetrics(ing.svc.metricsUrl);
      return {
        at: performance.now(),
        bytes: metricFromText(text, 'wattstream_ingest_kafka_bytes_total'),
        requests: metricFromText(text, 'wattstream_ingest_kafka_produce_seconds_count'),
        records: metricFromText(text, 'wattstream_ingest_kafka_batch_records_sum'),
        cpu: ing.svc.cpuSeconds(),
      };
    };

    const load = await MqttLoad.connect(ctx, 'ingest load', capacityLoad(ing.mqttUrl, conns));
    const rss = new GaugeSampler('ingest RSS', 'MB', () => round(ing.svc.rss() / MB), 500);
    const bytesSeries: Series = { name: 'ingest → Kafka', unit: 'MB/s', points: [] };
    const started = performance.now();
    let prev = await metrics();
    let steadyStart: Awaited<ReturnType<typeof metrics>> | undefined;
    const pending: Promise<void>[] = [];
    const run = await load.run(ctx.durationMs, ctx.warmupMs, 'ingest', () => {
      pending.push(
        metrics().then((m) => {
          bytesSeries.points.push([
            round((m.at - started) / 1000),
            round((m.bytes - prev.bytes) / MB / ((m.at - prev.at) / 1000), 2),
          ]);
          prev = m;
          if (!steadyStart && m.at - started >= ctx.warmupMs) steadyStart = m;
        }),
      );
    });
    await Promise.all(pending);
    const end = prev;
    rss.stop();
    const rssSteady = rss.series.points.filter(([t]) => t * 1000 >= ctx.warmupMs).map(([, v]) => v);
    await load.stop();
    await ing.svc.stop();
    const s0 = steadyStart ?? end;
    const secs = Math.max(0.001, (end.at - s0.at) / 1000);
    const kafkaBytesPerSec = (end.bytes - s0.bytes) / secs;
    const records = end.records - s0.records;
    const samplesPerSec = run.ackedPerSec * SAMPLES;

    // ProducerPerformance with ingest's own records, on a topic like ingest's
    const topic = await scratchMetricsTopic(ctx, env.KAFKA_BROKERS!, 'ingest-pp');
    const payloads = Array.from({ length: 256 }, (_, i) =>
      ingestRecordValue(`in-a${i % CONNECTIONS}`, i, SAMPLES, CAPACITY_PERIOD_MS),
    );
    const payloadFile = join(dataDir, 'ingest-records.txt');
    writeFileSync(payloadFile, payloads.join('\n'));
    const recordBytes = payloads.reduce((a, p) => a + Buffer.byteLength(p), 0) / payloads.length;
    const pp = await producerPerformance(ctx, { brokers: env.KAFKA_BROKERS!, topic, payloadFile });
    const ppBytes: Series = {
      name: 'ProducerPerformance',
      unit: 'MB/s',
      points: pp.series.points.map(([t, r]) => [t, round((r * recordBytes) / MB, 2)]),
    };
    const bytesRatio = kafkaBytesPerSec / pp.bytesPerSec;
    return {
      figures: {
        samplesPerSec: Math.round(samplesPerSec),
        batchesPerSec: Math.round(run.ackedPerSec),
        kafkaBytesPerSec: Math.round(kafkaBytesPerSec),
        recordBytes: Math.round(recordBytes),
        ingestRssMaxMb: round(rss.max()),
        ingestRssSteadyAvgMb: round(rssSteady.reduce((a, b) => a + b, 0) / Math.max(1, rssSteady.length)),
        ingestCpuCores: round((end.cpu - s0.cpu) / secs, 2),
        samplesPerIngestCpuSec: Math.round((samplesPerSec * secs) / Math.max(0.001, end.cpu - s0.cpu)),
        recordsPerProduceRequest: round(records / Math.max(1, end.requests - s0.requests)),
        pubackP50Ms: round(run.done.latency.p50, 2),
        pubackP99Ms: round(run.done.latency.p99, 2),
        producerPerfBytesPerSec: pp.bytesPerSec,
        producerPerfRecordsPerSec: pp.recordsPerSec,
      },
      ratios: {
        bytesToProducerPerf: round(bytesRatio, 3),
      },
      targets: [
        { name: 'ingest ≥ 200,000 samples/s (issue 4)', figure: 'samplesPerSec', op: '>=', threshold: 200_000 },
        { name: 'ingest RSS ≤ 256 MB (issue 4)', figure: 'ingestRssMaxMb', op: '<=', threshold: 256 * 1.048576 },
        {
          name: 'Kafka bytes/s ≥ half of ProducerPerformance (issue 4)',
          figure: 'bytesToProducerPerf',
          op: '>=',
          threshold: 0.5,
        },
      ],
      charts: [
        {
          kind: 'line',
          title: 'Kafka write rate: ingest, then ProducerPerformance (same records, same broker)',
          xLabel: 's since phase start',
          yLabel: 'MB/s',
          series: [bytesSeries, ppBytes],
        },
        {
          kind: 'line',
          title: `ingest: acknowledged samples/s (QoS 1, ${SAMPLES} per batch)`,
          xLabel: 's',
          yLabel: 'samples/s',
          series: [
            { name: 'samples/s', unit: 'samples/s', points: run.series.points.map(([t, v]) => [t, v * SAMPLES]) },
          ],
        },
        { kind: 'line', title: 'ingest RSS', xLabel: 's', yLabel: 'MB', series: [rss.series] },
        {
          kind: 'percentile',
          title: 'PUBACK latency at saturation (from send)',
          yLabel: 'ms',
          curves: [{ name: 'ingest', points: run.done.curve }],
        },
      ],
      notes: [
        `MB here is 10^6 bytes; the RSS target (256 MiB) is checked as ${round(256 * 1.048576, 1)} MB. Kafka bytes are uncompressed record values.`,
        `ProducerPerformance: ${pp.command.replace(/bootstrap\.servers=\S+/, 'bootstrap.servers=…').replace(/--payload-file \S+/, '--payload-file <ingest records>')}`,
      ],
    };
  },
};
