import { kafkaTopics } from '@wattstream/contracts';
import type { ServiceContext } from '@wattstream/kernel';
import { notify } from '../notify.js';
import { eventTimeOf, type TriggerContext } from './common.js';

/**
 * `integration.sync.failed`, to the user: on a sync's first failure, and on any failure that needs
 * the user to act (`retryable: false`); automatic retries that fail again say nothing more.
 */
export function consumeIntegrations(ctx: ServiceContext<unknown>, t: TriggerContext): void {
  ctx.consume({
    group: t.group,
    topic: kafkaTopics.integrationSyncFailed,
    async handle(event, tx) {
      const f = event.value;
      if (!f || !tx || (f.retryable && f.attempt > 1)) return;
      await notify(t.notifier, tx, [
        {
          userId: f.userId,
          kind: 'integration.sync.failed',
          sourceId: event.ce.id,
          eventTime: eventTimeOf(event),
          params: { provider: f.provider, errorMessage: f.error.message.slice(0, 500), retryable: f.retryable },
          link: '/settings/integrations',
        },
      ]);
    },
  });
}
