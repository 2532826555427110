import { Type } from '@sinclair/typebox';
import { Id, LegacyAthlete, LegacyAthleteUpdate, LegacySessionPage } from '@wattstream/contracts';
import { identityOf, notFound, type ServiceContext } from '@wattstream/kernel';
import { athleteOf, updateAthlete } from '../store/athletes.js';
import { sessionsOf } from '../store/sessions.js';
import type { Auth } from './auth.js';

const tags = ['athletes'];

/** The athlete record the monolith kept (name, FTP), and an athlete's sessions by athlete id. */
export function athleteRoutes(ctx: ServiceContext<unknown>, auth: Auth): void {
  ctx.http.get(
    '/training/v1/athletes/me',
    { preHandler: auth, schema: { tags, response: { 200: LegacyAthlete } } },
    async (req) => athleteOf(ctx.db, identityOf(req).userId),
  );
  ctx.http.put(
    '/training/v1/athletes/me',
    { preHandler: auth, schema: { tags, body: LegacyAthleteUpdate, response: { 200: LegacyAthlete } } },
    async (req) => updateAthlete(ctx.db, identityOf(req).userId, req.body),
  );
  // The monolith knew no coaches: an athlete's sessions are the athlete's alone.
  ctx.http.get(
    '/training/v1/athletes/:athleteId/sessions',
    {
      preHandler: auth,
      schema: { tags, params: Type.Object({ athleteId: Id('athlete') }), response: { 200: LegacySessionPage } },
    },
    async (req) => {
      if (req.params.athleteId !== identityOf(req).userId) throw notFound('athlete');
      return sessionsOf(ctx.db, req.params.athleteId, 50, undefined);
    },
  );
}
