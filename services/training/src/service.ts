import multipart from '@fastify/multipart';
import { kafkaTopics } from '@wattstream/contracts';
import { defineService } from '@wattstream/kernel';
import { trainingConfig, trainingPort } from './config.js';
import { consumeTrainingCompleted } from './consumers/training-completed.js';
import { consumeTrainingStarted } from './consumers/training-started.js';
import { consumeUserEvents } from './consumers/users.js';
import { calendarRoutes } from './routes/calendar.js';
import { sessionRoutes } from './routes/sessions.js';
import { workoutRoutes } from './routes/workouts.js';

/**
 * The training service: structured workouts (and .zwo/.erg/.mrc files), plans on athletes'
 * calendars, and sessions with their summaries — live ones from the stream's
 * `training.started`/`training.completed`, uploaded ones from FIT files summarised with the same
 * metric code. Emits `training.session.summarized`, `training.workout.assigned` and, for uploads,
 * `training.samples.imported` through its outbox.
 */
export const trainingService = defineService({
  name: 'training',
  description: 'workouts, plans and sessions with their summaries',
  port: trainingPort,
  config: trainingConfig,
  postgres: { migrations: new URL('../migrations/', import.meta.url) },
  kafka: true,
  outbox: true,
  async start(ctx) {
    ctx.produces(kafkaTopics.sessionSummarized, kafkaTopics.workoutAssigned, kafkaTopics.samplesImported);
    await ctx.http.register(multipart, { limits: { fileSize: ctx.config.uploadLimit, files: 1 } });
    const auth = ctx.auth.required();
    sessionRoutes(ctx, auth, ctx.config.uploadLimit);
    workoutRoutes(ctx, auth);
    calendarRoutes(ctx, auth);
    const group = ctx.config.consumerGroup;
    consumeTrainingStarted(ctx, group);
    consumeTrainingCompleted(ctx, group);
    consumeUserEvents(ctx, group);
  },
});
