import { kafkaTopics } from '@wattstream/contracts';
import type { ServiceContext } from '@wattstream/kernel';
import { eraseUser } from '../store/notifications.js';

/** `user.account.deleted`: everything notifications keeps of the user goes (GDPR erasure). */
export function consumeAccounts(ctx: ServiceContext<unknown>, group: string): void {
  ctx.consume({
    group,
    topic: kafkaTopics.accountDeleted,
    async handle(event, tx) {
      if (event.value && tx) await eraseUser(tx, event.value.userId);
    },
  });
}
