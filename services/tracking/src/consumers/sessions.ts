import { consumeCoachLinks, eraseCoachLinks } from '@wattstream/access';
import { kafkaTopics } from '@wattstream/contracts';
import type { ServiceContext } from '@wattstream/kernel';
import type { History } from '../store/history.js';
import { eraseSessions, sessionEnded, sessionStarted } from '../store/sessions.js';

/**
 * What tracking learns from events: session boundaries (the stream's started/completed, training's
 * summaries of uploads), the samples of uploads, who coaches whom, and erasures.
 */
export function consumeEvents(ctx: ServiceContext<unknown>, group: string, history: History): void {
  ctx.consume({
    group,
    topic: kafkaTopics.trainingStarted,
    async handle(event, tx) {
      const e = event.value;
      if (e && tx) await sessionStarted(tx, e.sessionId, e.athleteId, e.startedAt);
    },
  });
  ctx.consume({
    group,
    topic: kafkaTopics.trainingCompleted,
    async handle(event, tx) {
      const e = event.value;
      if (e && tx) await sessionEnded(tx, e.sessionId, e.athleteId, e.startedAt, e.endedAt);
    },
  });
  ctx.consume({
    group,
    topic: kafkaTopics.sessionSummarized,
    async handle(event, tx) {
      const e = event.value;
      if (e && tx) await sessionEnded(tx, e.sessionId, e.athleteId, e.startedAt, e.endedAt, e.sport);
    },
  });
  ctx.consume({
    group,
    topic: kafkaTopics.samplesImported,
    // a QuestDB outage is retried for about ten minutes before the chunk is dead-lettered (replayable)
    maxAttempts: 25,
    backoff: { initialMs: 500, maxMs: 30_000 },
    async handle(event) {
      if (event.value) await history.writeImported(event.value);
    },
  });
  consumeCoachLinks(ctx, group);
  ctx.consume({
    group,
    topic: kafkaTopics.accountDeleted,
    async handle(event, tx) {
      if (!event.value || !tx) return;
      await eraseSessions(tx, event.value.userId);
      await eraseCoachLinks(tx, event.value.userId);
    },
  });
}
