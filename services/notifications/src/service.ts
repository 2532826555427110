import { kafkaTopics } from '@wattstream/contracts';
import { defineService } from '@wattstream/kernel';
import { checkNotificationsConfig, notificationsConfig, notificationsPort } from './config.js';
import { consumeAccounts } from './consumers/accounts.js';
import { consumeContacts } from './consumers/contacts.js';
import { consumeFollows } from './consumers/follows.js';
import { consumeFriendActivity } from './consumers/friend-activity.js';
import { consumeIntegrations } from './consumers/integrations.js';
import { consumeInventory } from './consumers/inventory.js';
import { consumeTraining } from './consumers/training.js';
import { Dispatcher } from './delivery/dispatcher.js';
import { EmailSender } from './delivery/email.js';
import { WebhookSender } from './delivery/webhook.js';
import { notificationMetrics } from './metrics.js';
import type { Notifier } from './notify.js';
import { notificationRoutes } from './routes/notifications.js';
import { preferenceRoutes } from './routes/preferences.js';
import { webhookRoutes } from './routes/webhooks.js';

/**
 * The notifications service: turns platform events (friends' rides, session summaries, assigned
 * workouts, follow requests, failed syncs, gear due for service) into notifications in the user's language, and delivers
 * them live (`notifications.live` through the outbox, pushed by the live server), by e-mail (SMTP)
 * and to signed webhooks, as the user's preferences, quiet hours and digest say. Projects
 * `user.contact.updated` and `social.follow.updated`; erases a user on `user.account.deleted`.
 */
export const notificationsService = defineService({
  name: 'notifications',
  description: 'notifications to users from platform events: live, e-mail and signed webhooks',
  port: notificationsPort,
  config: notificationsConfig,
  check: checkNotificationsConfig,
  postgres: { migrations: new URL('../migrations/', import.meta.url) },
  kafka: true,
  outbox: true,
  async start(ctx) {
    const c = ctx.config;
    ctx.produces(kafkaTopics.notificationLive);
    const metrics = notificationMetrics(ctx.registry);
    const notifier: Notifier = { outbox: ctx.outbox, metrics, digestHour: c.digestHour };

    const auth = ctx.auth.required();
    preferenceRoutes(ctx, auth);
    webhookRoutes(ctx, auth, { maxEndpoints: c.webhookMaxEndpoints, allowPrivate: c.webhookAllowPrivate });
    notificationRoutes(ctx, auth);

    const group = c.consumerGroup;
    const triggers = { group, notifier };
    consumeContacts(ctx, group);
    consumeFollows(ctx, triggers);
    consumeFriendActivity(ctx, triggers);
    consumeTraining(ctx, triggers);
    consumeIntegrations(ctx, triggers);
    consumeInventory(ctx, triggers);
    consumeAccounts(ctx, group);

    const email = new EmailSender({ smtpUrl: c.smtpUrl, from: c.mailFrom, timeoutMs: c.smtpTimeout });
    const webhook = new WebhookSender({
      timeoutMs: c.webhookTimeout,
      allowPrivate: c.webhookAllowPrivate,
      perEndpoint: c.webhookPerEndpoint,
    });
    const dispatcher = new Dispatcher({
      pool: ctx.db,
      databaseUrl: c.databaseUrl,
      config: c,
      email,
      webhook,
      metrics,
      logger: ctx.logger,
    });
    // Only a serving instance sends (the CLI's tool mode never listens): the dispatcher starts
    // with the listener, and stops before the pool closes, after its sends in flight finish.
    ctx.http.addHook('onListen', async () => {
      dispatcher.start();
    });
    ctx.onShutdown('drain', 'deliveries in flight', () => dispatcher.stop());
    ctx.onShutdown('close', 'e-mail and webhook clients', async () => {
      email.close();
      await webhook.close();
    });
    return { dispatcher, metrics };
  },
});
