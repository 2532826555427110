import { randomUUID } from 'node:crypto';
import { cloudEventHeaders, kafkaTopics, type MetricsReceived } from '@wattstream/contracts';
import {
  CompressionTypes,
  createConsumer,
  createKafka,
  createLogger,
  createProducer,
  loadConfig,
} from '@wattstream/platform';
import { workerConfigSpec } from '../src/config.js';
import { streamTopics } from '../src/topics.js';
import { startWorker } from '../src/worker.js';

export interface WorkerThroughputOptions {
  brokers: string[];
  records?: number;
  samplesPerRecord?: number;
  athletes?: number;
  partitions?: number;
}

export interface WorkerThroughputResult {
  records: number;
  samplesPerRecord: number;
  athletes: number;
  partitions: number;
  /** a kafkajs consumer that only counts records */
  bareSamplesPerSec: number;
  /** a kafkajs consumer that JSON-parses every value and does nothing else */
  bareParseSamplesPerSec: number;
  /** the stream worker: parse, metrics, sessions, stats, changelog and offsets in transactions */
  workerSamplesPerSec: number;
  /** worker / bare */
  ratio: number;
  /** worker / bare + JSON.parse */
  ratioToParsing: number;
}

/**
 * Stream worker throughput on one Node thread against a bare kafkajs consumer on the same topic.
 * Records as ingest writes them (MetricsReceived, CloudEvents headers, LZ4 batches); both read
 * the whole backlog, timed from their first record to their last.
 */
export async function benchWorkerThroughput(o: WorkerThroughputOptions): Promise<WorkerThroughputResult> {
  const records = o.records ?? 100_000;
  const per = o.samplesPerRecord ?? 10;
  const athletes = o.athletes ?? 1000;
  const partitions = o.partitions ?? 1;
  const logger = createLogger('bench', 'warn');
  const prefix = `bench-${Date.now().toString(36)}.`;
  const topics = streamTopics(prefix);
  const kafka = createKafka({ brokers: o.brokers, clientId: 'bench', logger });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: topics.metrics, numPartitions: partitions }] });
  const producer = createProducer(kafka);
  await producer.connect();
  const t0 = 1_764_000_000_000;
  const seqs = new Map<string, number>();
  let batch = [];
  for (let r = 0; r < records; r++) {
    const athleteId = `a${r % athletes}`;
    const seq = seqs.get(athleteId) ?? 0;
    seqs.set(athleteId, seq + 1);
    const samples = Array.from({ length: per }, (_, k) => ({
      ts: t0 + (seq * per + k) * 250,
      power: 150 + ((seq + k) % 150),
      hr: 120 + (k % 40),
      cadence: 88,
      speed: 9.7,
    }));
    const value: MetricsReceived = { athleteId, deviceId: `d-${athleteId}`, edgeId: 'e1', seq, samples };
    batch.push({
      key: athleteId,
      value: JSON.stringify(value),
      headers: cloudEventHeaders({
        type: kafkaTopics.metricsReceived.name,
        id: `d-${athleteId}:${seq}`,
        source: '/edges/e1',
      }),
    });
    if (batch.length === 2000 || r === records - 1) {
      await producer.send({ topic: topics.metrics, acks: -1, compression: CompressionTypes.LZ4, messages: batch });
      batch = [];
    }
  }
  await producer.disconnect();

  // bare kafkajs consumers: one only counts, one also JSON-parses each value
  const bareRun = async (parse: boolean): Promise<number> => {
    const bare = createConsumer(kafka, { groupId: `bare-${randomUUID()}` });
    await bare.connect();
    await bare.subscribe({ topic: topics.metrics, fromBeginning: true });
    let seen = 0;
    let joined = 0;
    let sink = 0;
    bare.on(bare.events.GROUP_JOIN, () => {
      joined = performance.now();
    });
    const ms = await new Promise<number>((resolve) => {
      void bare.run({
        eachBatch: async ({ batch: b }) => {
          for (const m of b.messages) {
            if (parse && m.value) sink += (JSON.parse(m.value.toString('utf8')) as { seq: number }).seq;
            else sink += m.value?.length ?? 0;
          }
          seen += b.messages.length;
          if (seen >= records) resolve(performance.now() - joined);
        },
      });
    });
    await bare.disconnect();
    if (sink < 0) throw new Error('unreachable');
    return ms;
  };
  const bareMs = await bareRun(false);
  const parseMs = await bareRun(true);

  // the worker
  const cfg = loadConfig(workerConfigSpec, {
    KAFKA_BROKERS: o.brokers.join(','),
    STREAM_TOPIC_PREFIX: prefix,
    STREAM_GROUP_ID: `${prefix}workers`,
    STREAM_INSTANCE_ID: 'bench',
    STREAM_HTTP_PORT: '0',
    LOG_LEVEL: 'warn',
  });
  const worker = await startWorker(cfg, logger, { ops: false });
  const workerMs = await new Promise<number>((resolve) => {
    const poll = setInterval(() => {
      if (worker.processor.counters.records >= records) {
        clearInterval(poll);
        resolve(performance.now() - worker.joinedAt());
      }
    }, 5);
  });
  await worker.stop();
  await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => {});
  await admin.disconnect();
  const samples = records * per;
  const bareRate = samples / (bareMs / 1000);
  const workerRate = samples / (workerMs / 1000);
  const parseRate = samples / (parseMs / 1000);
  return {
    records,
    samplesPerRecord: per,
    athletes,
    partitions,
    bareSamplesPerSec: Math.round(bareRate),
    bareParseSamplesPerSec: Math.round(parseRate),
    workerSamplesPerSec: Math.round(workerRate),
    ratio: Math.round((workerRate / bareRate) * 100) / 100,
    ratioToParsing: Math.round((workerRate / parseRate) * 100) / 100,
  };
}
