import { kafkaTopics } from '@wattstream/contracts';
import type { ServiceContext } from '@wattstream/kernel';
import { notify } from '../notify.js';
import { eventTimeOf, type TriggerContext } from './common.js';

/** `inventory.gear.service.due`: the owner's bike, trainer, shoes or chain reached its service interval. */
export function consumeInventory(ctx: ServiceContext<unknown>, t: TriggerContext): void {
  ctx.consume({
    group: t.group,
    topic: kafkaTopics.gearServiceDue,
    async handle(event, tx) {
      const g = event.value;
      if (!g || !tx) return;
      await notify(t.notifier, tx, [
        {
          userId: g.userId,
          kind: 'gear.service.due',
          sourceId: event.ce.id,
          eventTime: eventTimeOf(event),
          params: { gearName: g.name, sinceServiceM: g.sinceServiceM, serviceEveryM: g.serviceEveryM },
          link: `/gear/${encodeURIComponent(g.itemId)}`,
        },
      ]);
    },
  });
}
