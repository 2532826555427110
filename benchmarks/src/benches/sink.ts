import { randomUUID } from 'node:crypto';
import { TOPIC, TRACKING_METRICS_TABLE } from '@wattstream/contracts';
import { metricFromText, waitForWalApplied } from '@wattstream/platform';
import type { Benchmark } from '../benchmark.js';
import { fetchMetrics, sleep } from '../proc.js';
import { ensureMetricsTopic, prefillTopic, scratch, startService } from '../services.js';
import { GaugeSampler, round, type Series } from '../stats.js';
import { writeRawRows } from './questdb-raw.js';

const SAMPLES = 100;
/** Backlog sized for a sink this fast; if it drains earlier the measured window is shorter (noted). */
const ASSUMED_MAX_ROWS_PER_SEC = 400_000;

/**
 * The QuestDB sink draining a backlog of `tracking.metrics.received` (rows/s it has written
 * and committed), then the bare `@questdb/nodejs-client` writer (`questdb-raw`) for the same
 * time on the same QuestDB: the ratio of the two, side by side in one run.
 */
export const sink: Benchmark = {
  name: 'sink',
  description:
    '`ingest sink` (dist, pinned to core 0, its own consumer group) draining a backlog of unique 100-sample records (fresh Kafka and QuestDB) ' +
    'in `tracking.metrics.received` into `tracking_metrics` (ILP/HTTP, offsets committed after QuestDB accepted). ' +
    'Then the bare `questdb-raw` writer (one client, 10,000 rows per request, pinned to core 0 too) for as long, ' +
    'on the same QuestDB.',
  async run(ctx) {
    // a topic that holds only this backlog (earlier benchmarks write other record sizes to it)
    const { env, dir } = await ctx.freshInfra();
    const dataDir = scratch(dir, 'sink');
    const http = env.QUESTDB_HTTP!;
    await ensureMetricsTopic(env.KAFKA_BROKERS!, TOPIC.metricsReceived);
    const wantRows = ((ctx.warmupMs + ctx.durationMs) / 1000) * (ctx.smoke ? 20_000 : ASSUMED_MAX_ROWS_PER_SEC);
    const records = Math.ceil(wantRows / SAMPLES);
    const prefix = `sk${Date.now().toString(36)}-`;
    await prefillTopic(ctx, {
      brokers: env.KAFKA_BROKERS!,
      topic: TOPIC.metricsReceived,
      records,
      samplesPerRecord: SAMPLES,
      athletes: 1000,
      athletePrefix: prefix,
      t0: Date.UTC(2025, 5, 1),
    });

    const svc = await startService(ctx, {
      name: 'sink',
      pkg: 'ingest',
      args: ['sink'],
      portEnv: 'SINK_HTTP_PORT',
      env: { KAFKA_BROKERS: env.KAFKA_BROKERS!, QUESTDB_HTTP: http, SINK_GROUP: `bench-sink-${randomUUID()}` },
      readyPath: '/healthz',
      logDir: dataDir,
    });

    // rows/s once per second; stop at warm-up + duration or when the backlog is drained
    const series: Series = { name: 'sink', unit: 'rows/s', points: [] };
    const rss = new GaugeSampler('sink RSS', 'MB', () => round(svc.rss() / 1e6), 1000);
    const read = async () => {
      const text = await fetchMetrics(svc.metricsUrl);
      return {
        at: performance.now(),
        rows: metricFromText(text, 'wattstream_sink_rows_total') || 0,
        records: metricFromText(text, 'wattstream_sink_records_total') || 0,
        cpu: svc.cpuSeconds(),
      };
    };
    const t0 = performance.now();
    let prev = await read();
    let steadyStart: typeof prev | undefined;
    let steadyEnd: typeof prev | undefined;
    let idle = 0;
    while (performance.now() - t0 < ctx.warmupMs + ctx.durationMs) {
      await sleep(1000);
      const cur = await read();
      const rate = ((cur.rows - prev.rows) * 1000) / (cur.at - prev.at);
      series.points.push([round((cur.at - t0) / 1000), Math.round(rate)]);
      if (cur.rows > 0 && !steadyStart && cur.at - t0 >= ctx.warmupMs) steadyStart = cur;
      if (cur.rows > prev.rows) {
        idle = 0;
        steadyEnd = cur;
      } else if (prev.rows > 0 && ++idle >= 3) break; // drained
      prev = cur;
    }
    rss.stop();
    await svc.stop();
    const s0 = steadyStart ?? prev;
    const s1 = steadyEnd ?? prev;
    const secs = Math.max(0.001, (s1.at - s0.at) / 1000);
    const sinkRowsPerSec = (s1.rows - s0.rows) / secs;
    const drainedEarly = idle >= 3;

    ctx.log('waiting for QuestDB to apply the sink’s WAL before the bare writer …');
    await waitForWalApplied(http, TRACKING_METRICS_TABLE, 600_000);
    const raw = await writeRawRows(ctx, http, Date.UTC(2025, 0, 1) + Math.floor(Math.random() * 1e6) * 1000);
    const applyStart = performance.now();
    await waitForWalApplied(http, TRACKING_METRICS_TABLE, 600_000);
    return {
      figures: {
        sinkRowsPerSec: Math.round(sinkRowsPerSec),
        sinkRecordsPerSec: round((s1.records - s0.records) / secs),
        sinkCpuCores: round((s1.cpu - s0.cpu) / secs, 2),
        sinkRssMaxMb: round(rss.max()),
        measuredS: round(secs),
        rawRowsPerSec: raw.rowsPerSec,
        rawWalApplyAfterEndS: round((performance.now() - applyStart) / 1000, 2),
      },
      ratios: { sinkToQuestdbRaw: round(sinkRowsPerSec / raw.rowsPerSec, 3) },
      charts: [
        {
          kind: 'line',
          title: 'Rows/s into tracking_metrics: sink, then the bare client',
          xLabel: 's since phase start',
          yLabel: 'rows/s',
          series: [series, raw.series],
        },
        { kind: 'line', title: 'sink RSS', xLabel: 's', yLabel: 'MB', series: [rss.series] },
      ],
      notes: [
        `Backlog: ${records.toLocaleString('en-US')} records × ${SAMPLES} samples (power, cadence, hr) prefilled on fresh Kafka and QuestDB before the sink starts.` +
          (drainedEarly ? ' The sink drained it before the end: the measured window is shorter than --duration.' : ''),
        'Both write rows accepted over ILP/HTTP; QuestDB applies its WAL asynchronously after that (rawWalApplyAfterEndS).',
      ],
    };
  },
};
