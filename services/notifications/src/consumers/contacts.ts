import { kafkaTopics } from '@wattstream/contracts';
import type { ServiceContext } from '@wattstream/kernel';
import { deleteContact, upsertContact } from '../store/contacts.js';

/** `user.contact.updated` (compacted): e-mail, name, locale and time zone per user; a tombstone forgets them. */
export function consumeContacts(ctx: ServiceContext<unknown>, group: string): void {
  ctx.consume({
    group,
    topic: kafkaTopics.contactUpdated,
    tombstones: true,
    async handle(event, tx) {
      if (!tx) return;
      if (event.value) await upsertContact(tx, event.value);
      else if (event.key) await deleteContact(tx, event.key);
    },
  });
}
