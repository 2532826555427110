import { LogLevelsChange, LogLevelsView } from '@wattstream/contracts';
import type { LogLevels } from '@wattstream/platform';
import type { ServiceContext } from '../context.js';

/**
 * `GET|PUT /admin/log-levels`: the service's level and each component's, changed while it runs
 * (this replica, until it restarts). Admin accounts only; a change is logged at warn with who made
 * it, so the log itself says why it got louder.
 */
export function serveLogLevels(ctx: ServiceContext<unknown>, levels: LogLevels): void {
  const admin = { preHandler: ctx.auth.required({ roles: ['admin'] }) };
  ctx.http.get('/admin/log-levels', { ...admin, schema: { hide: true, response: { 200: LogLevelsView } } }, async () =>
    levels.view(),
  );
  ctx.http.put(
    '/admin/log-levels',
    { ...admin, schema: { hide: true, body: LogLevelsChange, response: { 200: LogLevelsView } } },
    async (req) => {
      const before = levels.view().level;
      const view = levels.set(req.body);
      ctx.logger.warn({ change: req.body, before, by: req.identity?.userId }, 'log levels changed');
      return view;
    },
  );
}
