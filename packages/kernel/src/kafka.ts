import type { KafkaTopicContract } from '@wattstream/contracts';
import {
  type Admin,
  createKafka,
  createProducer,
  ensureTopics,
  type KafkaClient,
  type Logger,
  PlatformErrorCode,
  type Producer,
  type ProducerConfig,
  WattstreamError,
} from '@wattstream/platform';

export type TopicSpec = Pick<KafkaTopicContract, 'name' | 'configs'> & { partitions?: number };

export interface KafkaKitOptions {
  brokers: string[];
  clientId: string;
  logger: Logger;
  /** Create missing topics at start (dev, tests); in a cluster the KafkaTopic resources own them. */
  createTopics: boolean;
  partitions: number;
}

/**
 * A service's Kafka: one client, producers and an admin that the kernel closes at shutdown, topic
 * creation from contracts, and a readiness check that asks the cluster (cached for a few seconds so
 * a busy `/readyz` does not hammer the brokers).
 */
export class KafkaKit {
  readonly client: KafkaClient;
  private readonly producers: Producer[] = [];
  private adminClient: Admin | undefined;
  private lastCheck = { at: 0, result: 'not checked yet' as true | string };

  constructor(private readonly o: KafkaKitOptions) {
    this.client = createKafka({ brokers: o.brokers, clientId: o.clientId, logger: o.logger });
  }

  /** An idempotent producer (`acks: -1` per send), connected; closed by the kernel at shutdown. */
  async producer(config: ProducerConfig = {}): Promise<Producer> {
    const p = createProducer(this.client, config);
    await p.connect();
    this.producers.push(p);
    return p;
  }

  async admin(): Promise<Admin> {
    if (!this.adminClient) {
      const a = this.client.admin();
      await a.connect();
      this.adminClient = a;
    }
    return this.adminClient;
  }

  /** Creates missing topics (when allowed); `partitions` overrides KAFKA_TOPIC_PARTITIONS for these. */
  async ensureTopics(topics: readonly TopicSpec[], opts: { partitions?: number } = {}): Promise<void> {
    if (!this.o.createTopics || topics.length === 0) return;
    const unique = [...new Map(topics.map((t) => [t.name, t])).values()];
    await ensureTopics(await this.admin(), unique, {
      partitions: opts.partitions ?? this.o.partitions,
      logger: this.o.logger,
    });
  }

  /** Throws WS_KAFKA_UNAVAILABLE (naming KAFKA_BROKERS) when no broker answers. */
  async assertReachable(): Promise<void> {
    try {
      const admin = await this.admin();
      await admin.describeCluster();
    } catch (err) {
      throw new WattstreamError(
        PlatformErrorCode.KafkaUnavailable,
        `Kafka is not reachable at ${this.o.brokers.join(',')}: ${(err as Error).message}. Is it running, and is KAFKA_BROKERS right?`,
        { cause: err },
      );
    }
  }

  readinessCheck = async (): Promise<true | string> => {
    if (Date.now() - this.lastCheck.at < 5000) return this.lastCheck.result;
    let result: true | string;
    try {
      const admin = await this.admin();
      const d = await admin.describeCluster();
      result = d.brokers.length > 0 ? true : 'no Kafka broker in the cluster metadata';
    } catch (err) {
      result = `Kafka unreachable: ${(err as Error).message}`;
    }
    this.lastCheck = { at: Date.now(), result };
    return result;
  };

  async close(): Promise<void> {
    await Promise.all(this.producers.map((p) => p.disconnect().catch(() => {})));
    this.producers.length = 0;
    await this.adminClient?.disconnect().catch(() => {});
    this.adminClient = undefined;
  }
}
