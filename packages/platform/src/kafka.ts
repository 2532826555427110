import type { KafkaTopicContract } from '@wattstream/contracts';
import type {
  Admin,
  Consumer,
  ConsumerConfig,
  IHeaders,
  Kafka as KafkaClient,
  KafkaConfig,
  LogEntry,
  Producer,
  ProducerConfig,
} from 'kafkajs';
import kafkajs from 'kafkajs';
import { compressFrame, decompressFrame } from 'lz4-napi';
import { PlatformErrorCode, WattstreamError } from './errors.js';
import { type LogLevel, logLevelsOf } from './log-levels.js';
import type { Logger } from './logger.js';

/**
 * The one place that knows kafkajs (maintenance mode upstream): client construction with our
 * defaults, topic creation from contracts, and the LZ4 codec. Services import from here only.
 */
const { Kafka, CompressionTypes, CompressionCodecs, logLevel, Partitioners } = kafkajs;

export type {
  Admin,
  Consumer,
  ConsumerConfig,
  EachBatchPayload,
  IHeaders,
  Kafka as KafkaClient,
  KafkaMessage,
  Producer,
  ProducerConfig,
  RecordMetadata,
} from 'kafkajs';
export { CompressionTypes };

let codecsRegistered = false;

/**
 * Registers the LZ4 codec (Kafka's LZ4 is the standard LZ4 frame format). `lz4-napi` ships
 * prebuilt binaries, so no install script runs. Idempotent.
 */
export function registerCompressionCodecs(): void {
  if (codecsRegistered) return;
  CompressionCodecs[CompressionTypes.LZ4] = () => ({
    compress: (encoder: { buffer: Buffer }) => compressFrame(encoder.buffer),
    decompress: (buffer: Buffer) => decompressFrame(buffer),
  });
  codecsRegistered = true;
}

const LEVEL_NAMES: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

const KAFKAJS_LEVEL: Record<LogLevel, number> = {
  trace: logLevel.DEBUG,
  debug: logLevel.DEBUG,
  info: logLevel.INFO,
  warn: logLevel.WARN,
  error: logLevel.ERROR,
  fatal: logLevel.ERROR,
  silent: logLevel.NOTHING,
};

export interface KafkaOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
  /** Overrides for kafkajs settings. */
  config?: Partial<KafkaConfig>;
}

export function createKafka({ brokers, clientId, logger, config = {} }: KafkaOptions): KafkaClient {
  registerCompressionCodecs();
  const levels = logLevelsOf(logger);
  const log = levels.component('kafkajs');
  return new Kafka({
    clientId,
    brokers,
    connectionTimeout: 3000,
    requestTimeout: 30_000,
    retry: { initialRetryTime: 100, retries: 8, maxRetryTime: 5000 },
    // kafkajs filters before our logger sees an entry, and its info lines are chatty: warn unless
    // LOG_LEVELS gives kafkajs a level when the client is made (a later change only narrows it).
    logLevel: levels.hasOwn('kafkajs') ? KAFKAJS_LEVEL[levels.levelOf('kafkajs')] : logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...rest } = entry;
        log[LEVEL_NAMES[level] ?? 'info'](rest, message);
      },
    ...config,
  });
}

/**
 * Producer defaults: idempotent, one request in flight (kafkajs needs that for idempotence), no
 * topic auto-creation, Java-compatible murmur2 partitioning so keys land where Java clients put
 * them. Send with `acks: -1`.
 */
export function createProducer(kafka: KafkaClient, config: ProducerConfig = {}): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
    createPartitioner: Partitioners.DefaultPartitioner,
    ...config,
  });
}

export function createConsumer(kafka: KafkaClient, config: ConsumerConfig): Consumer {
  return kafka.consumer({
    sessionTimeout: 30_000,
    heartbeatInterval: 3000,
    allowAutoTopicCreation: false,
    maxBytesPerPartition: 4 * 1024 * 1024,
    ...config,
  });
}

export interface EnsureTopicsOptions {
  partitions?: number;
  replicationFactor?: number;
  logger?: Logger;
}

/**
 * Creates the topics of the given contracts when missing (with their configs) and resolves once
 * every partition of every one of them has a leader, so clients can use them at once; idempotent.
 * Returns the topics this call created.
 */
export async function ensureTopics(
  admin: Admin,
  topics: readonly Pick<KafkaTopicContract, 'name' | 'configs' | 'partitions'>[],
  options: EnsureTopicsOptions = {},
): Promise<string[]> {
  // On a cluster that has just started, or while other clients create topics, kafkajs' wait for
  // leaders can fail with a retriable error; creating is idempotent, so trying again is safe.
  const created = await retryKafka(() => createMissingTopics(admin, topics, options));
  // kafkajs' waitForLeaders gives up early on a busy broker (e.g. while it creates the 50
  // partitions of __transaction_state), and topics another client created are not waited for.
  await retryKafka(() =>
    assertLeaders(
      admin,
      topics.map((t) => t.name),
    ),
  );
  return created;
}

async function assertLeaders(admin: Admin, names: string[]): Promise<void> {
  if (names.length === 0) return;
  const { topics } = await admin.fetchTopicMetadata({ topics: names });
  const leaderless = topics.filter((t) => t.partitions.length === 0 || t.partitions.some((p) => p.leader < 0));
  if (leaderless.length > 0) {
    throw Object.assign(new Error(`no leader yet for ${leaderless.map((t) => t.name).join(', ')}`), {
      retriable: true,
    });
  }
}

async function createMissingTopics(
  admin: Admin,
  topics: readonly Pick<KafkaTopicContract, 'name' | 'configs' | 'partitions'>[],
  { partitions = 6, replicationFactor = 1, logger }: EnsureTopicsOptions,
): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t.name));
  if (missing.length === 0) return [];
  await admin.createTopics({
    waitForLeaders: true,
    topics: missing.map((t) => ({
      topic: t.name,
      numPartitions: t.partitions ?? partitions,
      replicationFactor,
      configEntries: Object.entries(t.configs).map(([name, value]) => ({ name, value })),
    })),
  });
  logger?.info({ topics: missing.map((t) => t.name) }, 'created Kafka topics');
  return missing.map((t) => t.name);
}

/**
 * Retries an admin call that fails with a retriable Kafka error (a new topic's leader not known
 * yet, a broker that just started): kafkajs gives up on some of these at once.
 */
export async function retryKafka<T>(fn: () => Promise<T>, attempts = 10): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const retriable =
        (err as { retriable?: boolean }).retriable === true || /does not host|leader/i.test(String(err));
      if (!retriable || attempt >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
}

/** Connects an admin client and asks the cluster who it is; throws a coded error if it cannot. */
export async function describeCluster(kafka: KafkaClient): Promise<{ clusterId: string; brokers: number }> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const d = await admin.describeCluster();
    return { clusterId: d.clusterId, brokers: d.brokers.length };
  } catch (err) {
    throw new WattstreamError(
      PlatformErrorCode.KafkaUnavailable,
      `Kafka is not reachable: ${(err as Error).message}. Is it running (pnpm infra status) and is KAFKA_BROKERS right?`,
      { cause: err },
    );
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** Reads one header as a string (kafkajs hands headers over as Buffers). */
export function headerString(headers: IHeaders | undefined, name: string): string | undefined {
  const v = headers?.[name];
  if (v === undefined) return undefined;
  const one = Array.isArray(v) ? v[0] : v;
  return one === undefined ? undefined : Buffer.isBuffer(one) ? one.toString('utf8') : String(one);
}
