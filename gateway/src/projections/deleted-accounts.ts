import { type AccountDeleted, kafkaTopics } from '@wattstream/contracts';
import type { KafkaClient, Logger } from '@wattstream/platform';
import { TopicProjection } from './topic-projection.js';

/**
 * Accounts deleted recently (`user.account.deleted`): their access tokens stay cryptographically
 * valid until they expire, so the gateway refuses them by subject. Entries older than
 * `retentionMs` (longer than any access token lives) are dropped.
 */
export class DeletedAccounts {
  private readonly deleted = new Map<string, number>();
  readonly projection: TopicProjection;

  constructor(
    kafka: KafkaClient,
    logger: Logger,
    private readonly retentionMs: number,
  ) {
    this.projection = new TopicProjection(
      kafka,
      kafkaTopics.accountDeleted,
      'gateway-deleted-accounts',
      logger,
      (value) => {
        const v = value as AccountDeleted;
        if (Date.now() - v.deletedAt < this.retentionMs) this.deleted.set(v.userId, v.deletedAt);
      },
    );
  }

  has(userId: string): boolean {
    const at = this.deleted.get(userId);
    if (at === undefined) return false;
    if (Date.now() - at >= this.retentionMs) {
      this.deleted.delete(userId);
      return false;
    }
    return true;
  }

  get size(): number {
    return this.deleted.size;
  }
}
