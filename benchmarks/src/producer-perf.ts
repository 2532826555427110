import type { BenchContext } from './context.js';
import { runKafkaTool } from './java-tool.js';
import { round, type Series } from './stats.js';

export const MIB = 1024 * 1024; // Kafka's perf tools count MB as MiB

/** `123 records sent, 4567.8 records/sec (12.34 MB/sec), 5.6 ms avg latency, 78.0 ms max latency.` */
const INTERVAL =
  /^(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency\.?$/;
/** The final summary; with --warmup-records a steady-state one follows the total, so the last match wins. */
const SUMMARY =
  /^(\d+) (?:steady state )?records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th, (\d+) ms 99\.9th/;

export interface ProducerPerfResult {
  recordsPerSec: number;
  /** payload bytes per second (uncompressed record values) */
  bytesPerSec: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  /** records sent in total (probe included, its last partial second missed): what a consumer will find on the topic, at least */
  sent: number;
  series: Series;
  command: string;
}

/**
 * Kafka's own `ProducerPerformance` with the durability ingest uses (acks=all, idempotent, LZ4,
 * linger 5 ms) and real record values from `payloadFile` (one per line), for about warm-up +
 * duration. The tool is count-based and prints percentiles only when it ends by itself: a probe
 * learns the rate, the measured run is sized to last warm-up + duration with its first records
 * excluded (`--warmup-records`), and resized (twice at most) when a fresh JVM runs much faster.
 */
export async function producerPerformance(
  ctx: BenchContext,
  o: { brokers: string; topic: string; payloadFile: string; label?: string },
): Promise<ProducerPerfResult> {
  const producerProps = [
    `bootstrap.servers=${o.brokers}`,
    'acks=all',
    'enable.idempotence=true',
    'compression.type=lz4',
    'linger.ms=5',
    'batch.size=262144',
  ];
  const label = o.label ?? 'ProducerPerformance';
  const produce = async (numRecords: number, series?: Series, untilMs?: number, warmupRecords = 0) => {
    let summary: RegExpExecArray | null = null;
    let sent = 0;
    let total: number | undefined;
    let maxRate = 0;
    const started = performance.now();
    const args = [
      '--topic',
      o.topic,
      '--num-records',
      String(numRecords),
      '--throughput',
      '-1',
      '--payload-file',
      o.payloadFile,
      '--reporting-interval',
      '1000',
      ...(warmupRecords > 0 ? ['--warmup-records', String(warmupRecords)] : []),
      '--producer-props',
      ...producerProps,
    ];
    const tool = await runKafkaTool(
      'org.apache.kafka.tools.ProducerPerformance',
      args,
      (line) => {
        if (process.env.BENCH_DEBUG) ctx.log(`  ${line}`);
        const s = SUMMARY.exec(line);
        if (s) {
          // the first summary counts every record sent (the interval lines miss the last partial second)
          if (!summary) total = Number(s[1]);
          summary = s;
        }
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
    return { summary: summary as RegExpExecArray | null, sent: total ?? sent, maxRate, args };
  };

  ctx.log(`${label}: probe …`);
  const probe = await produce(1_000_000_000, undefined, Math.max(3000, Math.min(ctx.warmupMs, 5000)));
  let rate = probe.maxRate || 2000;
  let sent = probe.sent;
  const wantS = (ctx.warmupMs + ctx.durationMs) / 1000;
  let series: Series = { name: label, unit: 'records/s', points: [] };
  let summary: RegExpExecArray | null = null;
  let args: string[] = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    const numRecords = Math.max(2000, Math.round(rate * wantS));
    const warmupRecords = Math.round((rate * ctx.warmupMs) / 1000);
    ctx.log(`${label}: ${numRecords} records (${warmupRecords} warm-up) …`);
    series = { name: label, unit: 'records/s', points: [] };
    const started = performance.now();
    const run = await produce(numRecords, series, undefined, warmupRecords);
    const elapsedS = (performance.now() - started) / 1000;
    summary = run.summary;
    args = run.args;
    sent += run.sent;
    if (elapsedS >= 0.6 * wantS || ctx.smoke) break;
    rate = numRecords / elapsedS;
  }
  if (!summary) throw new Error('ProducerPerformance printed no summary line');
  const s = summary as RegExpExecArray;
  return {
    recordsPerSec: round(Number(s[2])),
    bytesPerSec: Math.round(Number(s[3]) * MIB),
    p50Ms: Number(s[6]),
    p95Ms: Number(s[7]),
    p99Ms: Number(s[8]),
    p999Ms: Number(s[9]),
    maxMs: Number(s[5]),
    sent,
    series,
    command: `org.apache.kafka.tools.ProducerPerformance ${args.join(' ')}`,
  };
}
