import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { kafkaTopics, type MetricsReceived } from '@wattstream/contracts';
import { javaBinary, libDir, provision } from '@wattstream/infra';
import { startKafka, type TestKafka, tempDir } from '@wattstream/infra/testing';
import { createKafka, createLogger, ensureTopics, loadConfig } from '@wattstream/platform';
import { mintEdgeToken, tokenConfig } from '../src/token.js';
import { IngestProcess, metricFromText } from '../test/child.js';

export interface IngestBenchOptions {
  /** Use this Kafka; without it a private broker is started (and removed afterwards). */
  kafkaBrokers?: string;
  /** Measured time, after warm-up. */
  durationMs?: number;
  warmupMs?: number;
  /** MQTT connections (one edge each), spread over `workers` threads. */
  connections?: number;
  workers?: number;
  /** QoS 1 publishes in flight per connection. */
  window?: number;
  samplesPerBatch?: number;
  /** Extra environment for `ingest serve` (e.g. KAFKA_LINGER). */
  ingestEnv?: Record<string, string>;
  /**
   * Node flags for `ingest serve`; default the deployment flags the README recommends
   * (RECOMMENDED_NODE_FLAGS). Add `--cpu-prof` to profile.
   */
  ingestNodeArgs?: string[];
  /** Run Kafka's ProducerPerformance on the same broker for the ratio (default true). */
  producerPerformance?: boolean;
  log?: (msg: string) => void;
}

export interface ProducerPerformanceResult {
  records: number;
  recordSize: number;
  recordsPerSec: number;
  bytesPerSec: number;
  avgLatencyMs: number;
  command: string;
}

export interface IngestBenchResult {
  samplesPerSec: number;
  batchesPerSec: number;
  /** Uncompressed record value bytes per second ingest had acknowledged by Kafka. */
  kafkaBytesPerSec: number;
  avgRecordBytes: number;
  ingestRssMaxBytes: number;
  /** Cores ingest used on average during the measurement (1 = one full core). */
  ingestCpuShare: number;
  /** Samples per CPU-second of ingest: its efficiency, less sensitive to what else runs on the machine. */
  samplesPerIngestCpuSecond: number;
  /** V8 heap and external memory of ingest at the end of the measurement. */
  ingestMemoryAtEnd: { heapTotalBytes: number; heapUsedBytes: number; externalBytes: number };
  produceRequests: number;
  avgRecordsPerRequest: number;
  producerPerformance: ProducerPerformanceResult | undefined;
  /** kafkaBytesPerSec / ProducerPerformance bytes/s. */
  bytesRatio: number | undefined;
  targets: { samplesPerSec: boolean; rss: boolean; bytesRatio: boolean | undefined };
  settings: Required<Omit<IngestBenchOptions, 'kafkaBrokers' | 'log' | 'ingestEnv' | 'ingestNodeArgs'>> & {
    ingestEnv: Record<string, string>;
    ingestNodeArgs: string[];
  };
  machine: { cpus: number; cpuModel: string; memoryBytes: number; node: string };
}

/** V8 heap bounds that keep ingest's RSS well under 256 MB at full load (see README). */
export const RECOMMENDED_NODE_FLAGS = ['--max-old-space-size=128', '--max-semi-space-size=8'];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TARGET = { samplesPerSec: 200_000, rssBytes: 256 * 1024 * 1024, bytesRatio: 0.5 };

/**
 * Ingest's throughput scenario (not a test): QoS 1 publishers in worker threads, batches of 100
 * samples, PUBACK only after Kafka; then Kafka's own ProducerPerformance on the same broker with
 * records of the same size and content, for the ratio. Returns the figures; prints nothing
 * (pass `log` for progress).
 */
export async function runIngestBenchmark(o: IngestBenchOptions = {}): Promise<IngestBenchResult> {
  const settings = {
    durationMs: o.durationMs ?? 20_000,
    warmupMs: o.warmupMs ?? 5000,
    connections: o.connections ?? 16,
    workers: o.workers ?? 2,
    window: o.window ?? 16,
    samplesPerBatch: o.samplesPerBatch ?? 100,
    producerPerformance: o.producerPerformance ?? true,
    ingestEnv: o.ingestEnv ?? {},
    ingestNodeArgs: o.ingestNodeArgs ?? RECOMMENDED_NODE_FLAGS,
  };
  const log = o.log ?? (() => {});
  let kafka: TestKafka | undefined;
  const dataDir = tempDir('ingest-bench');
  let ingest: IngestProcess | undefined;
  const workers: Worker[] = [];
  try {
    let brokers = o.kafkaBrokers;
    if (!brokers) {
      log('starting a private Kafka …');
      kafka = await startKafka();
      brokers = kafka.brokers;
    }
    ingest = await IngestProcess.create(
      'serve',
      {
        KAFKA_BROKERS: brokers,
        DATA_DIR: dataDir,
        INGEST_INSTANCE: 'bench',
        MQTT_PUBLISH_RATE: '1000000',
        MQTT_PUBLISH_BURST: '1000000',
        LOG_LEVEL: 'warn',
        ...settings.ingestEnv,
      },
      { compiled: true, nodeArgs: settings.ingestNodeArgs },
    );
    await ingest.start();
    log(`ingest up (pid ${ingest.proc?.pid}); ${settings.connections} connections in ${settings.workers} workers …`);

    const tokenCfg = loadConfig(tokenConfig, { DATA_DIR: dataDir });
    const edges = await Promise.all(
      Array.from({ length: settings.connections }, async (_, i) => {
        const edgeId = `bench-edge-${i}`;
        const athleteId = `bench-ath-${i}`;
        return {
          edgeId,
          athleteId,
          token: await mintEdgeToken(tokenCfg, { edge: edgeId, athletes: [athleteId], ttl: '1h' }),
        };
      }),
    );
    const acked = new Array<number>(settings.workers).fill(0);
    for (let w = 0; w < settings.workers; w++) {
      const worker = new Worker(new URL('./publisher-worker.mjs', import.meta.url), {
        workerData: {
          url: ingest.mqttUrl,
          edges: edges.filter((_, i) => i % settings.workers === w),
          samples: settings.samplesPerBatch,
          window: settings.window,
        },
      });
      worker.on('error', (err) => log(`publisher worker failed: ${err.message}`));
      worker.on('message', (m: { acked?: number; error?: string }) => {
        if (m.acked !== undefined) acked[w] = m.acked;
        if (m.error) log(`publisher error: ${m.error}`);
      });
      workers.push(worker);
    }
    const total = () => acked.reduce((a, b) => a + b, 0);
    const snapshot = async () => {
      const text = await (await fetch(`${ingest!.httpUrl}/metrics`)).text();
      return {
        at: performance.now(),
        cpu: ingest!.cpuSeconds(),
        batches: total(),
        bytes: metricFromText(text, 'wattstream_ingest_kafka_bytes_total'),
        requests: metricFromText(text, 'wattstream_ingest_kafka_produce_seconds_count'),
        records: metricFromText(text, 'wattstream_ingest_kafka_batch_records_sum'),
      };
    };

    await sleep(settings.warmupMs);
    const start = await snapshot();
    let rssMax = 0;
    while (performance.now() - start.at < settings.durationMs) {
      await sleep(250);
      rssMax = Math.max(rssMax, ingest.rss());
    }
    const end = await snapshot();
    const finalText = await (await fetch(`${ingest.httpUrl}/metrics`)).text();
    const memory = {
      heapTotalBytes: metricFromText(finalText, 'wattstream_nodejs_heap_size_total_bytes'),
      heapUsedBytes: metricFromText(finalText, 'wattstream_nodejs_heap_size_used_bytes'),
      externalBytes: metricFromText(finalText, 'wattstream_nodejs_external_memory_bytes'),
    };
    for (const w of workers) w.postMessage({ stop: true });
    await Promise.all(workers.map((w) => new Promise((r) => w.once('exit', r))));
    workers.length = 0;

    const secs = (end.at - start.at) / 1000;
    const batchesPerSec = (end.batches - start.batches) / secs;
    const kafkaBytesPerSec = (end.bytes - start.bytes) / secs;
    const recordsWritten = end.records - start.records;
    const avgRecordBytes = recordsWritten > 0 ? (end.bytes - start.bytes) / recordsWritten : 0;
    log(
      `ingest: ${Math.round(batchesPerSec * settings.samplesPerBatch)} samples/s, ${(kafkaBytesPerSec / 1e6).toFixed(1)} MB/s`,
    );
    await ingest.kill('SIGTERM');

    let pp: ProducerPerformanceResult | undefined;
    if (settings.producerPerformance) {
      log('running Kafka ProducerPerformance on the same broker …');
      pp = await producerPerformance(brokers, Math.max(1, Math.round(avgRecordBytes)), settings.samplesPerBatch, secs);
      log(`ProducerPerformance: ${pp.recordsPerSec.toFixed(0)} records/s, ${(pp.bytesPerSec / 1e6).toFixed(1)} MB/s`);
    }
    const samplesPerSec = batchesPerSec * settings.samplesPerBatch;
    const ingestCpuSeconds = end.cpu - start.cpu;
    const bytesRatio = pp ? kafkaBytesPerSec / pp.bytesPerSec : undefined;
    return {
      samplesPerSec,
      batchesPerSec,
      kafkaBytesPerSec,
      avgRecordBytes,
      ingestRssMaxBytes: rssMax,
      ingestCpuShare: ingestCpuSeconds / secs,
      samplesPerIngestCpuSecond:
        ((end.batches - start.batches) * settings.samplesPerBatch) / Math.max(0.001, ingestCpuSeconds),
      ingestMemoryAtEnd: memory,
      produceRequests: end.requests - start.requests,
      avgRecordsPerRequest: recordsWritten / Math.max(1, end.requests - start.requests),
      producerPerformance: pp,
      bytesRatio,
      targets: {
        samplesPerSec: samplesPerSec >= TARGET.samplesPerSec,
        rss: rssMax <= TARGET.rssBytes,
        bytesRatio: bytesRatio === undefined ? undefined : bytesRatio >= TARGET.bytesRatio,
      },
      settings,
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? '?',
        memoryBytes: totalmem(),
        node: process.version,
      },
    };
  } finally {
    for (const w of workers) await w.terminate();
    await ingest?.kill('SIGKILL');
    await kafka?.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Kafka's own producer benchmark (kafka-tools) with records like ingest's: the same size and
 * content (MetricsReceived JSON lines as the payload file), acks=all, idempotent, lz4, for about
 * as long as the ingest phase ran.
 */
async function producerPerformance(
  brokers: string,
  recordSize: number,
  samplesPerBatch: number,
  seconds: number,
): Promise<ProducerPerformanceResult> {
  const topic = 'bench.producer-performance';
  const k = createKafka({
    brokers: brokers.split(','),
    clientId: 'ingest-bench',
    logger: createLogger('bench', 'silent'),
  });
  const admin = k.admin();
  await admin.connect();
  await ensureTopics(admin, [{ name: topic, configs: kafkaTopics.metricsReceived.configs }], { partitions: 6 });
  await admin.disconnect();

  const dir = tempDir('producer-perf');
  const payloadFile = join(dir, 'payloads.txt');
  const lines: string[] = [];
  for (let i = 0; i < 200; i++) {
    const v: MetricsReceived = {
      athleteId: `bench-ath-${i % 16}`,
      deviceId: 'bench-dev',
      edgeId: `bench-edge-${i % 16}`,
      seq: i,
      samples: Array.from({ length: samplesPerBatch }, (_, j) => ({
        ts: 1_764_000_000_000 + j * 250,
        power: 200 + ((i + j) % 97),
        cadence: 85 + (j % 10) / 2,
        hr: 130 + (j % 40),
      })),
    };
    lines.push(JSON.stringify(v));
  }
  writeFileSync(payloadFile, lines.join('\n'));
  // Enough records for about the ingest phase's duration at a generous rate.
  const records = Math.max(20_000, Math.round(((200 * 1e6) / recordSize) * Math.min(seconds, 15) * 0.5));
  const lib = await provision('kafka');
  const args = [
    '-Xmx512m',
    '-cp',
    `${libDir('kafka')}/*`,
    'org.apache.kafka.tools.ProducerPerformance',
    '--topic',
    topic,
    '--num-records',
    String(records),
    '--payload-file',
    payloadFile,
    '--throughput',
    '-1',
    '--producer-props',
    `bootstrap.servers=${brokers}`,
    'acks=all',
    'enable.idempotence=true',
    'compression.type=lz4',
    'linger.ms=5',
    'batch.size=1048576',
  ];
  void lib;
  const out = await new Promise<string>((resolve, reject) =>
    execFile(javaBinary(), args, { maxBuffer: 16 * 1024 * 1024, timeout: 10 * 60_000 }, (err, stdout, stderr) =>
      err ? reject(new Error(`ProducerPerformance failed: ${stderr || err.message}`)) : resolve(stdout),
    ),
  );
  rmSync(dir, { recursive: true, force: true });
  // "N records sent, X records/sec (Y MB/sec), Z ms avg latency, …" — the last line is the total.
  const last =
    out
      .trim()
      .split('\n')
      .filter((l) => l.includes('records sent'))
      .pop() ?? '';
  const m = /([\d.]+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency/.exec(last);
  if (!m) throw new Error(`cannot read ProducerPerformance output:\n${out}`);
  const recordsPerSec = Number(m[2]);
  return {
    records: Number(m[1]),
    recordSize,
    recordsPerSec,
    // Payload-file records: their real average size, not --record-size.
    bytesPerSec: recordsPerSec * (lines.reduce((n, l) => n + l.length, 0) / lines.length),
    avgLatencyMs: Number(m[4]),
    command: `java ${args.map((a) => (a.includes(' ') ? `'${a}'` : a)).join(' ')}`,
  };
}
