import { consumeCoachLinks } from '@wattstream/access';
import { kafkaTopics } from '@wattstream/contracts';
import type { ServiceContext } from '@wattstream/kernel';
import { deleteProfile, eraseUser, upsertProfile } from '../store/projections.js';

/** Projections of the users service's events: profiles (FTP, zones), coach links, erasure. */
export function consumeUserEvents(ctx: ServiceContext<unknown>, group: string): void {
  ctx.consume({
    group,
    topic: kafkaTopics.profileUpdated,
    tombstones: true,
    async handle(event, tx) {
      if (!tx) return;
      if (event.value) await upsertProfile(tx, event.value);
      else if (event.key) await deleteProfile(tx, event.key);
    },
  });
  consumeCoachLinks(ctx, group);
  ctx.consume({
    group,
    topic: kafkaTopics.accountDeleted,
    async handle(event, tx) {
      if (event.value && tx) await eraseUser(tx, event.value.userId);
    },
  });
}
