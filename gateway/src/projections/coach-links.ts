import { type CoachLinkUpdated, kafkaTopics } from '@wattstream/contracts';
import type { KafkaClient, Logger } from '@wattstream/platform';
import { TopicProjection } from './topic-projection.js';

/** Who coaches whom, from `user.coach.link.updated` (keyed by athlete, so in order per athlete). */
export class CoachLinks {
  private readonly coachesOf = new Map<string, Set<string>>();
  readonly projection: TopicProjection;

  constructor(kafka: KafkaClient, logger: Logger) {
    this.projection = new TopicProjection(
      kafka,
      kafkaTopics.coachLinkUpdated,
      'gateway-coach-links',
      logger,
      (value) => {
        const v = value as CoachLinkUpdated;
        const set = this.coachesOf.get(v.athleteId) ?? new Set<string>();
        if (v.active) set.add(v.coachId);
        else set.delete(v.coachId);
        if (set.size > 0) this.coachesOf.set(v.athleteId, set);
        else this.coachesOf.delete(v.athleteId);
      },
    );
  }

  coaches(coachId: string, athleteId: string): boolean {
    return this.coachesOf.get(athleteId)?.has(coachId) ?? false;
  }
}
