import { randomUUID } from 'node:crypto';
import { cloudEventHeaders } from '@wattstream/contracts';
import {
  createConsumer,
  createKafka,
  createLogger,
  headerString,
  type IHeaders,
  type KafkaClient,
  type KafkaMessage,
  type Logger,
} from '@wattstream/platform';

export const testLogger: Logger = createLogger('test', process.env.TEST_LOG_LEVEL ?? 'warn');

/** The test run's shared Kafka (started by the vitest global setup). */
export function kafkaBrokers(): string {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) throw new Error('KAFKA_BROKERS is not set: run the tests through vitest (global setup)');
  return brokers;
}

export function testKafka(clientId = 'test'): KafkaClient {
  return createKafka({ brokers: kafkaBrokers().split(','), clientId, logger: testLogger });
}

/** A unique name part, so test files never see each other's topics or groups on the shared Kafka. */
export const unique = (name: string): string => `t-${name}-${Date.now().toString(36)}-${randomUUID().slice(0, 6)}`;

export interface CollectedRecord {
  key: string;
  value: unknown;
  /** Headers as strings (CloudEvents attributes, traceparent, dead-letter reasons). */
  headers: Record<string, string>;
  partition: number;
  message: KafkaMessage;
}

/** Collects every record of a topic (read_committed) from the beginning, until `stop()`. */
export async function collect(kafka: KafkaClient, topic: string) {
  const records: CollectedRecord[] = [];
  const consumer = createConsumer(kafka, { groupId: `collect-${randomUUID()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message, partition }) => {
      const headers: Record<string, string> = {};
      for (const k of Object.keys(message.headers ?? {})) headers[k] = headerString(message.headers, k) ?? '';
      let value: unknown = null;
      if (message.value) {
        const text = message.value.toString('utf8');
        try {
          value = JSON.parse(text);
        } catch {
          value = text;
        }
      }
      records.push({ key: message.key?.toString() ?? '', value, headers, partition, message });
    },
  });
  return { records, stop: () => consumer.disconnect() };
}

/** Produces one CloudEvents record the way services do (binary mode, `ce_*` headers). */
export async function produceEvent(
  kafka: KafkaClient,
  topic: string,
  e: {
    key: string;
    value: unknown;
    id: string;
    type?: string;
    source?: string;
    headers?: IHeaders;
    raw?: string | null;
  },
): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  try {
    await producer.send({
      topic,
      acks: -1,
      messages: [
        {
          key: e.key,
          value: e.raw !== undefined ? e.raw : JSON.stringify(e.value),
          headers: {
            ...cloudEventHeaders({ type: e.type ?? topic, id: e.id, source: e.source ?? '/test' }),
            ...(e.headers ?? {}),
          },
        },
      ],
    });
  } finally {
    await producer.disconnect();
  }
}
