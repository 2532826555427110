import { kafkaTopics, type SessionSummary, type TrainingCompleted } from '@wattstream/contracts';
import type { ServiceContext } from '@wattstream/kernel';
import { DEFAULT_PROFILE } from '@wattstream/metrics';
import { profileOf } from '../store/projections.js';
import { lockSession, saveCompleted, summarizedEvent } from '../store/sessions.js';
import { dayOf, plannedFor } from '../store/workouts.js';

/**
 * The FTP the stream computed IF with: NP / IF when it had power, else the profile it would have
 * used (the athlete's, or the documented default).
 */
async function ftpOf(e: TrainingCompleted, tx: Parameters<typeof profileOf>[0]) {
  if (e.normalizedPower !== null && e.intensity !== null && e.intensity > 0) {
    return Math.max(1, Math.round(e.normalizedPower / e.intensity));
  }
  if (e.profileSource === 'default') return DEFAULT_PROFILE.ftp;
  return (await profileOf(tx, e.athleteId)).profile.ftp;
}

/** The stream's summary, as training keeps it (time in zones when the stream sends them). */
function summaryOf(e: TrainingCompleted, ftp: number): SessionSummary {
  return {
    durationS: e.durationS,
    movingS: e.movingS,
    distanceM: e.distanceM,
    kj: e.kj,
    avgPower: e.avgPower,
    maxPower: e.maxPower,
    normalizedPower: e.normalizedPower,
    intensity: e.intensity,
    load: e.load,
    avgHr: e.avgHr,
    maxHr: e.maxHr,
    timeInPowerZones: e.timeInPowerZones ?? null,
    timeInHrZones: e.timeInHrZones ?? null,
    ftp,
  };
}

/**
 * `training.completed` from the stream: the session with its summary, linked to the workout
 * planned that day, and `training.session.summarized` in the same transaction. Idempotent by
 * session id: the kernel skips a redelivered `ce_id`, and the same summary arriving under another
 * id finds the session completed with the same end and changes nothing.
 */
export function consumeTrainingCompleted(ctx: ServiceContext<unknown>, group: string): void {
  ctx.consume({
    group,
    topic: kafkaTopics.trainingCompleted,
    async handle(event, tx) {
      const e = event.value;
      if (!e || !tx) return;
      const existing = await lockSession(tx, e.sessionId);
      if (existing?.state === 'completed' && Number(existing.ended_at) === e.endedAt) return;
      const plan = existing?.workout_id ? null : await plannedFor(tx, e.athleteId, dayOf(e.startedAt));
      const session = await saveCompleted(tx, {
        id: e.sessionId,
        athleteId: e.athleteId,
        source: existing?.source ?? 'live',
        sport: existing?.sport ?? 'cycling',
        startedAt: e.startedAt,
        endedAt: e.endedAt,
        summary: summaryOf(e, await ftpOf(e, tx)),
        plan: plan && { assignmentId: plan.assignmentId, workoutId: plan.workoutId },
        compliance: null,
      });
      await ctx.outbox.enqueue(tx, summarizedEvent(session));
    },
  });
}
