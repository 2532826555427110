import { kafkaTopics } from '@wattstream/contracts';
import type { ServiceContext } from '@wattstream/kernel';
import { notify } from '../notify.js';
import { contactsOf } from '../store/contacts.js';
import { applyFollow } from '../store/follows.js';
import { eventTimeOf, type TriggerContext } from './common.js';

/**
 * `social.follow.updated`: the projection of follow edges (who hears about whose rides; the latest
 * `updatedAt` per pair wins) and, when the newest state of a pair is `requested`, a notification
 * to the followee.
 */
export function consumeFollows(ctx: ServiceContext<unknown>, t: TriggerContext): void {
  ctx.consume({
    group: t.group,
    topic: kafkaTopics.followUpdated,
    async handle(event, tx) {
      const f = event.value;
      if (!f || !tx) return;
      const applied = await applyFollow(tx, f);
      if (!applied || f.state !== 'requested') return;
      const follower = (await contactsOf(tx, [f.followerId])).get(f.followerId);
      await notify(t.notifier, tx, [
        {
          userId: f.followeeId,
          kind: 'follow.requested',
          sourceId: event.ce.id,
          eventTime: eventTimeOf(event),
          actorId: f.followerId,
          params: { ...(follower?.displayName ? { followerName: follower.displayName } : {}) },
          link: '/social/requests',
        },
      ]);
    },
  });
}
