import { consumeCoachLinks, eraseCoachLinks } from '@wattstream/access';
import { kafkaTopics } from '@wattstream/contracts';
import type { Ctx } from '../routes/common.js';
import { eraseActivitiesOf } from '../store/activities.js';
import { endEdgesOf } from '../store/follows.js';
import { eraseGroupsOf } from '../store/groups.js';
import { erasePrivacy } from '../store/privacy.js';

/**
 * From the users service: coach links (the `coach` audience) and account deletion, which removes
 * the user's follows (announced as `removed`, so live and notifications forget them), privacy
 * (a tombstone), feed items, kudos, comments and group rides.
 */
export function consumeUserEvents(ctx: Ctx, group: string): void {
  consumeCoachLinks(ctx, group);
  ctx.consume({
    group,
    topic: kafkaTopics.accountDeleted,
    async handle(event, tx) {
      if (!event.value || !tx) return;
      const userId = event.value.userId;
      const events = [
        ...(await endEdgesOf(tx, userId)),
        ...(await erasePrivacy(tx, userId)),
        ...(await eraseGroupsOf(tx, userId)),
      ];
      await eraseActivitiesOf(tx, userId);
      await eraseCoachLinks(tx, userId);
      await ctx.outbox.enqueue(tx, ...events);
    },
  });
}
