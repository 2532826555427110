import { Type } from '@sinclair/typebox';
import { requireAccess } from '@wattstream/access';
import { Assignment, AssignmentInput, Calendar, Day, Id, Today } from '@wattstream/contracts';
import { identityOf, notFound, type ServiceContext } from '@wattstream/kernel';
import { WattstreamError } from '@wattstream/platform';
import {
  assignedEvent,
  assignmentById,
  calendarOf,
  dayOf,
  deleteAssignment,
  insertAssignment,
  workoutById,
} from '../store/workouts.js';

const tags = ['plans'];
const security = [{ bearer: [] }];
type Auth = ReturnType<ServiceContext<unknown>['auth']['required']>;
const MAX_RANGE_DAYS = 366;

/**
 * Plans: a coach (or the athlete) puts a workout of the athlete's library on a day of their
 * calendar; the athlete sees today's workout. Days are UTC days. Each change emits
 * `training.workout.assigned`.
 */
export function calendarRoutes(ctx: ServiceContext<unknown>, auth: Auth): void {
  ctx.http.post(
    '/v1/calendar',
    {
      preHandler: auth,
      schema: {
        tags,
        security,
        body: Type.Composite(
          [AssignmentInput, Type.Object({ athleteId: Type.Optional(Id('athlete; default: you')) })],
          {
            additionalProperties: false,
          },
        ),
        response: { 201: Assignment },
      },
    },
    async (req, reply) => {
      const who = identityOf(req);
      const athleteId = req.body.athleteId ?? who.userId;
      await requireAccess(ctx.db, who, athleteId, 'athlete');
      const w = await workoutById(ctx.db, req.body.workoutId);
      if (!w || w.athleteId !== athleteId) throw notFound('workout');
      const a = await ctx.tx(async (tx) => {
        const made = await insertAssignment(tx, {
          athleteId,
          assignedBy: who.userId,
          workoutId: w.id,
          date: req.body.date,
        });
        await ctx.outbox.enqueue(tx, assignedEvent(made, 'assigned'));
        return made;
      });
      return reply.status(201).send(a);
    },
  );

  ctx.http.get(
    '/v1/calendar',
    {
      preHandler: auth,
      schema: {
        tags,
        security,
        querystring: Type.Object({
          from: Day('first day'),
          to: Day('last day (at most 366 days after `from`)'),
          athleteId: Type.Optional(Id('athlete; default: you')),
        }),
        response: { 200: Calendar },
      },
    },
    async (req) => {
      const who = identityOf(req);
      const athleteId = req.query.athleteId ?? who.userId;
      const days = (Date.parse(req.query.to) - Date.parse(req.query.from)) / 86_400_000;
      if (!(days >= 0 && days <= MAX_RANGE_DAYS)) {
        throw new WattstreamError('WS_HTTP_VALIDATION', `from … to must be 0–${MAX_RANGE_DAYS} days apart`, {
          statusCode: 400,
          details: { fields: [{ field: 'querystring.to', message: `at most ${MAX_RANGE_DAYS} days after from` }] },
        });
      }
      await requireAccess(ctx.db, who, athleteId, 'athlete');
      return { items: await calendarOf(ctx.db, athleteId, req.query.from, req.query.to) };
    },
  );

  ctx.http.delete(
    '/v1/calendar/:id',
    { preHandler: auth, schema: { tags, security, params: Type.Object({ id: Type.String({ format: 'uuid' }) }) } },
    async (req, reply) => {
      const a = await assignmentById(ctx.db, req.params.id);
      if (!a) throw notFound('calendar entry');
      await requireAccess(ctx.db, identityOf(req), a.athleteId, 'calendar entry');
      await ctx.tx(async (tx) => {
        await deleteAssignment(tx, a.id);
        await ctx.outbox.enqueue(tx, assignedEvent(a, 'removed'));
      });
      return reply.status(204).send();
    },
  );

  ctx.http.get(
    '/v1/today',
    {
      preHandler: auth,
      schema: {
        tags,
        security,
        summary: "today's workout",
        querystring: Type.Object({
          athleteId: Type.Optional(Id('athlete; default: you')),
          date: Type.Optional(Day('the day to show (default: today, UTC)')),
        }),
        response: { 200: Today },
      },
    },
    async (req) => {
      const who = identityOf(req);
      const athleteId = req.query.athleteId ?? who.userId;
      await requireAccess(ctx.db, who, athleteId, 'athlete');
      const date = req.query.date ?? dayOf(Date.now());
      return { date, items: await calendarOf(ctx.db, athleteId, date, date) };
    },
  );
}
