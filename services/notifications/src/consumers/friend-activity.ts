import { kafkaTopics } from '@wattstream/contracts';
import type { ServiceContext } from '@wattstream/kernel';
import { notify } from '../notify.js';
import { contactsOf } from '../store/contacts.js';
import { acceptedFollowers } from '../store/follows.js';
import { eventTimeOf, type TriggerContext } from './common.js';

/**
 * `friend.activity.updated` (key actorId): a friend started a ride (live by default) or finished
 * one (e-mail and live), to every follower the actor accepted. `private` activities tell nobody;
 * `followers` and `public` ones tell the accepted followers. Other verbs and sports say nothing.
 */
export function consumeFriendActivity(ctx: ServiceContext<unknown>, t: TriggerContext): void {
  ctx.consume({
    group: t.group,
    topic: kafkaTopics.friendActivityUpdated,
    async handle(event, tx) {
      const a = event.value;
      if (!a || !tx) return;
      if (a.visibility === 'private' || a.sport !== 'ride') return;
      if (a.verb !== 'started' && a.verb !== 'completed') return;
      const followers = (await acceptedFollowers(tx, a.actorId)).filter((id) => id !== a.actorId);
      if (followers.length === 0) return;
      const actor = (await contactsOf(tx, [a.actorId])).get(a.actorId);
      const params = {
        ...(actor?.displayName ? { actorName: actor.displayName } : {}),
        ...(a.title ? { activityTitle: a.title } : {}),
        ...(a.verb === 'completed' && a.summary
          ? { distanceM: a.summary.distanceM, durationS: a.summary.durationS, kj: a.summary.kj }
          : {}),
      };
      await notify(
        t.notifier,
        tx,
        followers.map((userId) => ({
          userId,
          kind: a.verb === 'started' ? ('friend.ride.started' as const) : ('friend.ride.completed' as const),
          sourceId: event.ce.id,
          eventTime: eventTimeOf(event),
          actorId: a.actorId,
          params,
          link:
            a.verb === 'started' ? `/live/athletes/${a.actorId}` : `/activities/${encodeURIComponent(a.activityId)}`,
        })),
      );
    },
  });
}
