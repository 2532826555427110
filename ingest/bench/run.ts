import { runIngestBenchmark } from './throughput.js';

/**
 * `pnpm --filter @wattstream/ingest bench` — runs the throughput scenario and prints its figures
 * as JSON. KAFKA_BROKERS=… uses a running broker; otherwise a private one is started.
 * BENCH_DURATION=20s, BENCH_CONNECTIONS=16, BENCH_WINDOW=16, BENCH_WORKERS=2 adjust the load;
 * BENCH_NODE_FLAGS='' runs ingest without the recommended V8 heap flags; BENCH_PRODUCER_PERF=0 skips
 * the ProducerPerformance run. Needs `pnpm build` (ingest runs from dist/, as deployed).
 */
const ms = (v: string | undefined, d: number) => (v ? Number.parseFloat(v) * (v.endsWith('ms') ? 1 : 1000) : d);
const result = await runIngestBenchmark({
  ...(process.env.KAFKA_BROKERS ? { kafkaBrokers: process.env.KAFKA_BROKERS } : {}),
  durationMs: ms(process.env.BENCH_DURATION, 20_000),
  connections: Number(process.env.BENCH_CONNECTIONS ?? 16),
  window: Number(process.env.BENCH_WINDOW ?? 16),
  workers: Number(process.env.BENCH_WORKERS ?? 2),
  producerPerformance: process.env.BENCH_PRODUCER_PERF !== '0',
  ...(process.env.BENCH_NODE_FLAGS !== undefined
    ? { ingestNodeArgs: process.env.BENCH_NODE_FLAGS.split(' ').filter(Boolean) }
    : {}),
  log: (m) => process.stderr.write(`[bench] ${m}\n`),
});
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;
process.stderr.write(
  [
    '',
    `samples/s            ${Math.round(result.samplesPerSec).toLocaleString('en')}  (target ≥ 200,000: ${result.targets.samplesPerSec ? 'met' : 'NOT met'})`,
    `ingest RSS (max)     ${mb(result.ingestRssMaxBytes)}  (target ≤ 268.4 MB: ${result.targets.rss ? 'met' : 'NOT met'})`,
    `Kafka bytes/s        ingest ${mb(result.kafkaBytesPerSec)}/s` +
      (result.producerPerformance
        ? ` vs ProducerPerformance ${mb(result.producerPerformance.bytesPerSec)}/s = ${(result.bytesRatio! * 100).toFixed(0)} % (target ≥ 50 %: ${result.targets.bytesRatio ? 'met' : 'NOT met'})`
        : ''),
    `records per request  ${result.avgRecordsPerRequest.toFixed(1)}`,
    `ingest CPU           ${result.ingestCpuShare.toFixed(2)} cores; ${Math.round(result.samplesPerIngestCpuSecond).toLocaleString('en')} samples per CPU-second`,
    '',
  ].join('\n'),
);
