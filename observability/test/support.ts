import { type Sink, startSink } from '@wattstream/ingest';
import { inject } from 'vitest';

/**
 * A real QuestDB sink on the suite's Kafka and QuestDB, serving its /metrics on `port`: the
 * smallest real target for the rules, dashboards and doctor. `group` is its own consumer group.
 */
export function startTestSink(port: number, group: string): Promise<Sink> {
  return startSink({
    KAFKA_BROKERS: inject('infra').KAFKA_BROKERS,
    QUESTDB_HTTP: inject('infra').QUESTDB_HTTP,
    SINK_HTTP_PORT: String(port),
    SINK_GROUP: group,
    INGEST_INSTANCE: group,
    LOG_LEVEL: 'silent',
  });
}
