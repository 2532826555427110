import { defineService } from '@wattstream/kernel';
import { legacyPort } from './config.js';
import { athleteRoutes } from './routes/athletes.js';
import { sessionRoutes } from './routes/sessions.js';
import { workoutRoutes } from './routes/workouts.js';

/**
 * The legacy monolith in its simplest honest form: one process over one database of its own,
 * serving the old `/training/v1/...` endpoints for athletes, workouts and sessions. It emits no
 * events and reads none — the new services own that. The gateway routes `/training` here until the
 * strangler switch moves it to the training service.
 */
export const legacyService = defineService({
  name: 'legacy',
  description: 'the legacy monolith: athletes, workouts and sessions under /training/v1',
  port: legacyPort,
  config: {},
  postgres: { migrations: new URL('../migrations/', import.meta.url) },
  start(ctx) {
    const auth = ctx.auth.required();
    athleteRoutes(ctx, auth);
    sessionRoutes(ctx, auth);
    workoutRoutes(ctx, auth);
  },
});
