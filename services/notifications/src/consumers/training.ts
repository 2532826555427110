import { kafkaTopics } from '@wattstream/contracts';
import type { ServiceContext } from '@wattstream/kernel';
import { notify } from '../notify.js';
import { eventTimeOf, type TriggerContext } from './common.js';

/**
 * The training service's events, to the athlete: a session's first summary ("your session summary
 * is ready"; later revisions of the same session say nothing), and a workout someone else put on
 * the athlete's calendar ("your coach assigned a workout"; the athlete's own plans and removals
 * say nothing).
 */
export function consumeTraining(ctx: ServiceContext<unknown>, t: TriggerContext): void {
  ctx.consume({
    group: t.group,
    topic: kafkaTopics.sessionSummarized,
    async handle(event, tx) {
      const s = event.value;
      if (!s || !tx || s.revision !== 1) return;
      await notify(t.notifier, tx, [
        {
          userId: s.athleteId,
          kind: 'session.summary.ready',
          sourceId: event.ce.id,
          eventTime: eventTimeOf(event),
          params: {
            distanceM: s.distanceM,
            durationS: s.durationS,
            ...(s.load === null ? {} : { load: s.load }),
          },
          link: `/sessions/${encodeURIComponent(s.sessionId)}`,
        },
      ]);
    },
  });
  ctx.consume({
    group: t.group,
    topic: kafkaTopics.workoutAssigned,
    async handle(event, tx) {
      const w = event.value;
      if (!w || !tx || w.action !== 'assigned' || w.assignedBy === w.athleteId) return;
      await notify(t.notifier, tx, [
        {
          userId: w.athleteId,
          kind: 'workout.assigned',
          sourceId: event.ce.id,
          eventTime: eventTimeOf(event),
          actorId: w.assignedBy,
          params: { workoutName: w.workoutName, date: w.date },
          link: `/calendar/${w.date}`,
        },
      ]);
    },
  });
}
