import { KAFKA_TOPICS, type KafkaTopicContract, type KafkaTopicKey, kafkaTopics } from '@wattstream/contracts';
import { dlqTopic } from '@wattstream/kernel';
import type { CapacityPlan } from './capacity.js';
import type { Deployable } from './deployables.js';

/** One Kafka topic of the cluster: a contract topic or the dead-letter topic of a consumed one. */
export interface TopicPlan {
  name: string;
  partitions: number;
  configs: Record<string, string>;
  /** The contract topic it belongs to (for a DLQ: the topic it dead-letters). */
  contract: KafkaTopicContract;
  dlq: boolean;
}

export const topicName = (key: KafkaTopicKey): string => kafkaTopics[key].name;

/** Kubernetes names: lower-case RFC 1123, so `tracking.metrics.received.dlq` → `tracking-metrics-received-dlq`. */
export const topicResourceName = (topic: string): string => topic.toLowerCase().replace(/[^a-z0-9-]/g, '-');

/**
 * Every topic the cluster needs: each contract topic (its configs, partitions from the contract or
 * the capacity plan) and `<topic>.dlq` for each topic a kernel consumer reads.
 */
export function topicPlan(deployables: readonly Deployable[], plan: CapacityPlan): TopicPlan[] {
  const scaled: Partial<Record<string, number>> = {
    [kafkaTopics.metricsReceived.name]: plan.partitions.metricsReceived,
    // partition p of the changelog holds the state of input partition p
    [kafkaTopics.athleteState.name]: plan.partitions.metricsReceived,
    [kafkaTopics.statsUpdated.name]: plan.partitions.statsUpdated,
  };
  const topics: TopicPlan[] = KAFKA_TOPICS.map((t) => ({
    name: t.name,
    partitions: scaled[t.name] ?? t.partitions ?? 6,
    configs: { ...t.configs },
    contract: t,
    dlq: false,
  }));
  const dlqs = new Map<string, TopicPlan>();
  for (const d of deployables) {
    if (!d.kafka?.dlq) continue;
    for (const key of d.kafka.consumes) {
      const t = kafkaTopics[key];
      const spec = dlqTopic(t);
      dlqs.set(spec.name, { name: spec.name, partitions: 6, configs: { ...spec.configs }, contract: t, dlq: true });
    }
  }
  return [...topics, ...[...dlqs.values()].sort((a, b) => a.name.localeCompare(b.name))];
}

export interface Acl {
  resource: { type: 'topic' | 'group' | 'transactionalId'; name: string; patternType: 'literal' | 'prefix' };
  operations: string[];
}

/** The ACLs of one deployable's KafkaUser: what its code reads and writes, nothing else. */
export function aclsOf(d: Deployable): Acl[] {
  const k = d.kafka;
  if (!k) return [];
  const acls: Acl[] = [];
  const topic = (name: string, operations: string[]) =>
    acls.push({ resource: { type: 'topic', name, patternType: 'literal' }, operations });
  const reads = new Set(k.consumes.map(topicName));
  const writes = new Set(k.produces.map(topicName));
  for (const name of [...new Set([...reads, ...writes])].sort()) {
    const ops = ['Describe', 'DescribeConfigs'];
    if (reads.has(name)) ops.push('Read');
    if (writes.has(name)) ops.push('Write');
    topic(name, ops);
  }
  if (k.dlq) {
    for (const name of [...reads].sort())
      topic(dlqTopic({ name }).name, ['Describe', 'DescribeConfigs', 'Read', 'Write']);
  }
  for (const g of k.groups) {
    acls.push({
      resource: { type: 'group', name: g, patternType: g.endsWith('-') ? 'prefix' : 'literal' },
      operations: ['Describe', 'Read', 'Delete'],
    });
  }
  if (k.transactionalId) {
    acls.push({
      resource: { type: 'transactionalId', name: k.transactionalId, patternType: 'prefix' },
      operations: ['Describe', 'Write'],
    });
  }
  return acls;
}
