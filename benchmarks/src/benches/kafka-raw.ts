import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kafkaTopics } from '@wattstream/contracts';
import { createKafka, createLogger, ensureTopics } from '@wattstream/platform';
import type { Benchmark } from '../benchmark.js';
import { runKafkaTool } from '../java-tool.js';
import { makeReceived } from '../payloads.js';
import { round, type Series } from '../stats.js';

const MB = 1024 * 1024; // Kafka's perf tools count MB as MiB

/** The steady-state summary (printed after the total one, so the last match wins) and
 * `123 records sent, 4567.8 records/sec (12.34 MB/sec), 5.6 ms avg latency, 78.0 ms max latency.` */
const INTERVAL =
  /^(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency\.?$/;
const SUMMARY =
  /^(\d+) (?:steady state )?records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th, (\d+) ms 99\.9th/;

export const SAMPLES_PER_RECORD = 100;

/**
 * The raw limit: Kafka's own ProducerPerformance and ConsumerPerformance against the broker the
 * other benchmarks use, with real `tracking.metrics.received` values as payloads (100 samples per
 * record, the size ingest writes) and the durability ingest uses (acks=all, idempotent, LZ4).
 */
export const kafkaRaw: Benchmark = {
  name: 'kafka-raw',
  description:
    "Kafka's own `ProducerPerformance` and `ConsumerPerformance` (kafka-tools 4.3.1) on the same single-node broker: " +
    'real `tracking.metrics.received` values of 100 samples as payloads, `acks=all`, idempotent, LZ4, ' +
    '`linger.ms=5`. This is the raw limit that ingest and the stream worker are compared with.',
  async run(ctx) {
    const { env, dir } = await ctx.infra();
    const topic = `bench.kafka-raw.${Date.now()}`;
    const kafka = createKafka({
      brokers: [env.KAFKA_BROKERS!],
      clientId: 'bench',
      logger: createLogger('bench', 'warn'),
    });
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [{ name: topic, configs: kafkaTopics.metricsReceived.configs, partitions: 6 }]);
    ctx.onCleanup(async () => {
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
      await admin.disconnect();
    });

    const payloads = Array.from({ length: 500 }, (_, i) => JSON.stringify(makeReceived(i, i)));
    const payloadFile = join(dir, 'kafka-raw-payloads.txt');
    writeFileSync(payloadFile, payloads.join('\n'));
    const recordBytes = Math.round(payloads.reduce((a, p) => a + Buffer.byteLength(p), 0) / payloads.length);
    const producerProps = [
      `bootstrap.servers=${env.KAFKA_BROKERS}`,
      'acks=all',
      'enable.idempotence=true',
      'compression.type=lz4',
      'linger.ms=5',
      'batch.size=262144',
    ];
    const produce = async (numRecords: number, series?: Series, untilMs?: number, warmupRecords = 0) => {
      let summary: RegExpExecArray | null = null;
      let sent = 0;
      let maxRate = 0;
      const started = performance.now();
      const tool = await runKafkaTool(
        'org.apache.kafka.tools.ProducerPerformance',
        [
          '--topic',
          topic,
          '--num-records',
          String(numRecords),
          '--throughput',
          '-1',
          '--payload-file',
          payloadFile,
          '--reporting-interval',
          '1000',
          ...(warmupRecords > 0 ? ['--warmup-records', String(warmupRecords)] : []),
          '--producer-props',
          ...producerProps,
        ],
        (line) => {
          if (process.env.BENCH_DEBUG) ctx.log(`  ${line}`);
          const s = SUMMARY.exec(line);
          if (s) summary = s;
          const m = INTERVAL.exec(line);
          if (m) {
            sent += Number(m[1]);
            maxRate = Math.max(maxRate, Number(m[2]));
            series?.points.push([round((performance.now() - started) / 1000), Math.round(Number(m[2]))]);
          }
        },
        ctx.pin('load'),
      );
      const timer = untilMs ? setTimeout(tool.stop, untilMs) : undefined;
      await tool.done;
      if (timer) clearTimeout(timer);
      return { summary: summary as RegExpExecArray | null, sent, maxRate };
    };

    // ProducerPerformance is count-based and prints latency percentiles only when it ends by
    // itself. A probe learns the rate; the measured run is sized to last warm-up + duration, its
    // first records (the warm-up) excluded from the summary with --warmup-records; when a fresh
    // JVM runs much faster than the probe suggested, the run is resized and repeated (twice at most).
    ctx.log('ProducerPerformance probe …');
    const probe = await produce(1_000_000_000, undefined, Math.max(3000, Math.min(ctx.warmupMs, 5000)));
    let rate = probe.maxRate || 2000;
    let sent = probe.sent;
    const wantS = (ctx.warmupMs + ctx.durationMs) / 1000;
    let series: Series = { name: 'ProducerPerformance', unit: 'records/s', points: [] };
    let summary: RegExpExecArray | null = null;
    for (let attempt = 0; attempt < 3; attempt++) {
      const numRecords = Math.max(2000, Math.round(rate * wantS));
      const warmupRecords = Math.round((rate * ctx.warmupMs) / 1000);
      ctx.log(`ProducerPerformance: ${numRecords} records of ~${recordBytes} B (${warmupRecords} warm-up) …`);
      series = { name: 'ProducerPerformance', unit: 'records/s', points: [] };
      const started = performance.now();
      const run = await produce(numRecords, series, undefined, warmupRecords);
      const elapsedS = (performance.now() - started) / 1000;
      summary = run.summary;
      sent += run.sent;
      if (elapsedS >= 0.6 * wantS || ctx.smoke) break;
      rate = numRecords / elapsedS;
    }
    if (!summary) throw new Error('ProducerPerformance printed no summary line');
    const producerRecordsPerSec = Number(summary[2]);
    const producerBytesPerSec = Number(summary[3]) * MB;

    ctx.log('ConsumerPerformance …');
    let csv: string[] | undefined;
    const consumed = await runKafkaTool(
      'org.apache.kafka.tools.ConsumerPerformance',
      [
        '--bootstrap-server',
        env.KAFKA_BROKERS!,
        '--topic',
        topic,
        '--num-records',
        String(sent),
        '--timeout',
        '60000',
        '--hide-header',
      ],
      (line) => {
        const parts = line.split(',').map((s) => s.trim());
        if (parts.length >= 6 && /^\d{4}-/.test(parts[0] ?? '')) csv = parts;
      },
      ctx.pin('load'),
    );
    await consumed.done;
    if (!csv) throw new Error('ConsumerPerformance printed no result line');
    // start, end, MB, MB/s, records, records/s, rebalance ms, fetch ms, fetch MB/s, fetch records/s:
    // the fetch rates exclude the group join.
    const [, , , , nMsg, , , , mbSec, nMsgSec] = csv as string[];

    const latency = {
      name: 'produce latency (summary)',
      points: [
        [50, Number(summary[6])],
        [95, Number(summary[7])],
        [99, Number(summary[8])],
        [99.9, Number(summary[9])],
      ] as [number, number][],
    };
    return {
      figures: {
        recordBytes,
        producerRecordsPerSec: round(producerRecordsPerSec),
        producerSamplesPerSec: Math.round(producerRecordsPerSec * SAMPLES_PER_RECORD),
        producerBytesPerSec: Math.round(producerBytesPerSec),
        producerP50Ms: Number(summary[6]),
        producerP99Ms: Number(summary[8]),
        producerMaxMs: Number(summary[5]),
        consumerRecords: Number(nMsg),
        consumerRecordsPerSec: round(Number(nMsgSec)),
        consumerSamplesPerSec: Math.round(Number(nMsgSec) * SAMPLES_PER_RECORD),
        consumerBytesPerSec: Math.round(Number(mbSec) * MB),
      },
      ratios: {},
      charts: [
        { kind: 'line', title: 'ProducerPerformance throughput', xLabel: 's', yLabel: 'records/s', series: [series] },
        { kind: 'percentile', title: 'ProducerPerformance latency', yLabel: 'ms', curves: [latency] },
      ],
      notes: [
        `Payload: ${payloads.length} distinct contract records of ~${recordBytes} B (uncompressed), 6 partitions.`,
      ],
    };
  },
};
