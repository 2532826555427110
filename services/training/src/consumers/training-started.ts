import { kafkaTopics } from '@wattstream/contracts';
import type { ServiceContext } from '@wattstream/kernel';
import { insertLiveSession } from '../store/sessions.js';

/** `training.started`: the session shows in the athlete's list as live until it completes. */
export function consumeTrainingStarted(ctx: ServiceContext<unknown>, group: string): void {
  ctx.consume({
    group,
    topic: kafkaTopics.trainingStarted,
    async handle(event, tx) {
      if (event.value && tx) await insertLiveSession(tx, event.value);
    },
  });
}
