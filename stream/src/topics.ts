import { kafkaTopics } from '@wattstream/contracts';

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
    coachLinks: prefix + kafkaTopics.coachLinkUpdated.name,
    follows: prefix + kafkaTopics.followUpdated.name,
    privacy: prefix + kafkaTopics.privacyUpdated.name,
    notifications: prefix + kafkaTopics.notificationLive.name,
  };
}
export type StreamTopics = ReturnType<typeof streamTopics>;
