import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Benchmark } from '../benchmark.js';
import { runKafkaTool } from '../java-tool.js';
import { CAPACITY_PERIOD_MS, CAPACITY_SAMPLES_PER_BATCH } from '../load/mqtt-driver.js';
import { ingestRecordValue } from '../payloads.js';
import { MIB as MB, producerPerformance } from '../producer-perf.js';
import { scratchMetricsTopic } from '../services.js';
import { round } from '../stats.js';

/** Records carry the capacity batch, the size ingest writes under load. */
const SAMPLES_PER_RECORD = CAPACITY_SAMPLES_PER_BATCH;

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
    const topic = await scratchMetricsTopic(ctx, env.KAFKA_BROKERS!, 'kafka-raw');

    const payloads = Array.from({ length: 500 }, (_, i) =>
      ingestRecordValue(`a${i}`, i, SAMPLES_PER_RECORD, CAPACITY_PERIOD_MS),
    );
    const payloadFile = join(dir, 'kafka-raw-payloads.txt');
    writeFileSync(payloadFile, payloads.join('\n'));
    const recordBytes = Math.round(payloads.reduce((a, p) => a + Buffer.byteLength(p), 0) / payloads.length);
    const pp = await producerPerformance(ctx, { brokers: env.KAFKA_BROKERS!, topic, payloadFile });

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
        String(pp.sent),
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
        [50, pp.p50Ms],
        [95, pp.p95Ms],
        [99, pp.p99Ms],
        [99.9, pp.p999Ms],
      ] as [number, number][],
    };
    return {
      figures: {
        recordBytes,
        producerRecordsPerSec: pp.recordsPerSec,
        producerSamplesPerSec: Math.round(pp.recordsPerSec * SAMPLES_PER_RECORD),
        producerBytesPerSec: pp.bytesPerSec,
        producerP50Ms: pp.p50Ms,
        producerP99Ms: pp.p99Ms,
        producerMaxMs: pp.maxMs,
        consumerRecords: Number(nMsg),
        consumerRecordsPerSec: round(Number(nMsgSec)),
        consumerSamplesPerSec: Math.round(Number(nMsgSec) * SAMPLES_PER_RECORD),
        consumerBytesPerSec: Math.round(Number(mbSec) * MB),
      },
      ratios: {},
      charts: [
        {
          kind: 'line',
          title: 'ProducerPerformance throughput',
          xLabel: 's',
          yLabel: 'records/s',
          series: [pp.series],
        },
        { kind: 'percentile', title: 'ProducerPerformance latency', yLabel: 'ms', curves: [latency] },
      ],
      notes: [
        `Payload: ${payloads.length} distinct contract records of ~${recordBytes} B (uncompressed), 6 partitions.`,
      ],
    };
  },
};
