import { defineService } from '@wattstream/kernel';
import { trackingConfig, trackingPort } from './config.js';
import { consumeEvents } from './consumers/sessions.js';
import { historyRoutes } from './routes/history.js';
import { History } from './store/history.js';

/**
 * The tracking service: the ride history over QuestDB `tracking_metrics` — samples of a session
 * or a time range downsampled server-side, power-duration and peak HR, FIT/TCX/GPX export, device
 * status. Its own Postgres keeps the session index (from training.started/completed and
 * training.session.summarized) and the coach-link projection; uploaded sessions' samples
 * (training.samples.imported) are written to QuestDB by it.
 */
export const trackingService = defineService({
  name: 'tracking',
  description: 'ride history: downsampled samples, power-duration, export, device status',
  port: trackingPort,
  config: trackingConfig,
  postgres: { migrations: new URL('../migrations/', import.meta.url) },
  kafka: true,
  async start(ctx) {
    const history = new History(ctx.config.questdbHttp, ctx.config.queryTimeout);
    ctx.onShutdown('close', 'questdb sender', () => history.close());
    historyRoutes(ctx, ctx.auth.required(), history, { maxRangeMs: ctx.config.maxRange });
    consumeEvents(ctx, ctx.config.consumerGroup, history);
    return { history };
  },
});
