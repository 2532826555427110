import { kafkaTopics } from '@wattstream/contracts';
import { ensureTopics } from '@wattstream/platform';

/**
 * The topic names the stream worker and the live server use. `prefix` (STREAM_TOPIC_PREFIX)
 * namespaces all of them on a shared cluster, e.g. one per test run; it is empty in production.
 */
export function streamTopics(prefix = '') {
  return {
    metrics: prefix + kafkaTopics.metricsReceived.name,
    stats: prefix + kafkaTopics.statsUpdated.name,
    started: prefix + kafkaTopics.trainingStarted.name,
    completed: prefix + kafkaTopics.trainingCompleted.name,
    profiles: prefix + kafkaTopics.profileUpdated.name,
    changelog: prefix + kafkaTopics.athleteState.name,
    groups: prefix + kafkaTopics.groupUpdated.name,
  };
}
export type StreamTopics = ReturnType<typeof streamTopics>;

type EnsureArgs = Parameters<typeof ensureTopics>;

/**
 * `ensureTopics`, retried: on a cluster that has just started (or while other clients create
 * topics) kafkajs' wait for leaders can fail with a retriable UNKNOWN_TOPIC_OR_PARTITION; creating
 * is idempotent, so trying again is safe.
 */
export function ensureTopicsRetrying(...args: EnsureArgs): Promise<string[]> {
  return retryKafka(() => ensureTopics(...args));
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
        (err as { retriable?: boolean }).retriable === true || /does not host|not the leader|leader/i.test(String(err));
      if (!retriable || attempt >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 200 * attempt));
    }
  }
}
