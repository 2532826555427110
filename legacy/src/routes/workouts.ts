import { Type } from '@sinclair/typebox';
import { LegacyWorkout, LegacyWorkoutRequest } from '@wattstream/contracts';
import { identityOf, notFound, type ServiceContext } from '@wattstream/kernel';
import { deleteWorkout, insertWorkout, workoutOf, workoutsOf } from '../store/workouts.js';
import type { Auth } from './auth.js';

const tags = ['workouts'];
const Params = Type.Object({ id: Type.String({ format: 'uuid' }) });

/** An athlete's structured workouts: list, create, read, delete. */
export function workoutRoutes(ctx: ServiceContext<unknown>, auth: Auth): void {
  ctx.http.get(
    '/training/v1/workouts',
    { preHandler: auth, schema: { tags, response: { 200: Type.Object({ items: Type.Array(LegacyWorkout) }) } } },
    async (req) => ({ items: await workoutsOf(ctx.db, identityOf(req).userId) }),
  );
  ctx.http.post(
    '/training/v1/workouts',
    { preHandler: auth, schema: { tags, body: LegacyWorkoutRequest, response: { 201: LegacyWorkout } } },
    async (req, reply) => reply.status(201).send(await insertWorkout(ctx.db, identityOf(req).userId, req.body)),
  );
  ctx.http.get(
    '/training/v1/workouts/:id',
    { preHandler: auth, schema: { tags, params: Params, response: { 200: LegacyWorkout } } },
    async (req) => {
      const w = await workoutOf(ctx.db, identityOf(req).userId, req.params.id);
      if (!w) throw notFound('workout');
      return w;
    },
  );
  ctx.http.delete(
    '/training/v1/workouts/:id',
    { preHandler: auth, schema: { tags, params: Params } },
    async (req, reply) => {
      if (!(await deleteWorkout(ctx.db, identityOf(req).userId, req.params.id))) throw notFound('workout');
      return reply.status(204).send();
    },
  );
}
