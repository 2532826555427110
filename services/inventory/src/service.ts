import { kafkaTopics } from '@wattstream/contracts';
import { defineService } from '@wattstream/kernel';
import { inventoryConfig, inventoryPort } from './config.js';
import { consumeEvents } from './consumers/events.js';
import { gearRoutes } from './routes/gear.js';

/**
 * The inventory service: gear (bikes, trainers, shoes, chains) that accumulates the distance and
 * time of the sessions it is used in, service reminders at a distance, and achievements (virtual
 * items) unlocked by rules over sessions and profiles. Emits `user.inventory.updated` and
 * `inventory.gear.service.due` through its outbox.
 */
export const inventoryService = defineService({
  name: 'inventory',
  description: 'gear with its usage, service reminders and achievements',
  port: inventoryPort,
  config: inventoryConfig,
  postgres: { migrations: new URL('../migrations/', import.meta.url) },
  kafka: true,
  outbox: true,
  async start(ctx) {
    ctx.produces(kafkaTopics.inventoryUpdated, kafkaTopics.gearServiceDue);
    gearRoutes(ctx, ctx.auth.required());
    consumeEvents(ctx, ctx.config.consumerGroup);
  },
});
