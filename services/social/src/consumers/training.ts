import { kafkaTopics } from '@wattstream/contracts';
import type { Ctx } from '../routes/common.js';
import { activityStarted, activitySummarized } from '../store/activities.js';

/**
 * The feed from training: a ride that starts is a live item (`friend.activity.updated` verb
 * `started`), its summary completes it (`completed`, later revisions `updated`). Both idempotent
 * by the kernel's processed-event record and by the session id / revision they carry.
 */
export function consumeTraining(ctx: Ctx, group: string): void {
  ctx.consume({
    group,
    topic: kafkaTopics.trainingStarted,
    async handle(event, tx) {
      if (event.value && tx) await ctx.outbox.enqueue(tx, ...(await activityStarted(tx, event.value)));
    },
  });
  ctx.consume({
    group,
    topic: kafkaTopics.sessionSummarized,
    async handle(event, tx) {
      if (event.value && tx) await ctx.outbox.enqueue(tx, ...(await activitySummarized(tx, event.value)));
    },
  });
}
