import { Type } from '@sinclair/typebox';
import { CoachInvitation, CoachInvitationRequest, Id, Person } from '@wattstream/contracts';
import { identityOf, notFound, type ServiceContext } from '@wattstream/kernel';
import {
  answerInvitation,
  athletesOf,
  coachesOf,
  invitationsFor,
  invite,
  linkEvent,
  unlink,
} from '../store/coaching.js';
import { userById } from '../store/users.js';

const tags = ['coaching'];
const security = [{ bearer: [] }];
type Auth = ReturnType<ServiceContext<unknown>['auth']['required']>;

/**
 * Coach ↔ athlete links: an athlete invites a coach by e-mail, the coach accepts or declines;
 * either side can end the link. Every change emits `user.coach.link.updated`.
 */
export function coachingRoutes(ctx: ServiceContext<unknown>, auth: Auth, coachAuth: Auth): void {
  ctx.http.post(
    '/v1/me/coach-invitations',
    { preHandler: auth, schema: { tags, security, body: CoachInvitationRequest, response: { 201: CoachInvitation } } },
    async (req, reply) => reply.status(201).send(await invite(ctx.db, identityOf(req).userId, req.body.coachEmail)),
  );

  ctx.http.get(
    '/v1/me/coach-invitations',
    {
      preHandler: coachAuth,
      schema: { tags, security, response: { 200: Type.Object({ items: Type.Array(CoachInvitation) }) } },
    },
    async (req) => {
      const me = await userById(ctx.db, identityOf(req).userId);
      if (!me) throw notFound('user');
      return { items: await invitationsFor(ctx.db, me.email) };
    },
  );

  for (const [verb, accept] of [
    ['accept', true],
    ['decline', false],
  ] as const) {
    ctx.http.post(
      `/v1/coach-invitations/:id/${verb}`,
      {
        preHandler: coachAuth,
        schema: { tags, security, params: Type.Object({ id: Type.String({ format: 'uuid' }) }) },
      },
      async (req, reply) => {
        const coach = await userById(ctx.db, identityOf(req).userId);
        if (!coach) throw notFound('user');
        await ctx.tx(async (tx) => {
          const r = await answerInvitation(tx, req.params.id, coach, accept);
          if (r.linked) await ctx.outbox.enqueue(tx, linkEvent(r.athleteId, coach.id, true));
        });
        return reply.status(204).send();
      },
    );
  }

  const People = Type.Object({ items: Type.Array(Person) });
  ctx.http.get(
    '/v1/me/coaches',
    { preHandler: auth, schema: { tags, security, response: { 200: People } } },
    async (req) => ({
      items: await coachesOf(ctx.db, identityOf(req).userId),
    }),
  );
  ctx.http.get(
    '/v1/me/athletes',
    { preHandler: coachAuth, schema: { tags, security, response: { 200: People } } },
    async (req) => ({
      items: await athletesOf(ctx.db, identityOf(req).userId),
    }),
  );

  const end = async (athleteId: string, coachId: string) => {
    const ended = await ctx.tx(async (tx) => {
      if (!(await unlink(tx, athleteId, coachId))) return false;
      await ctx.outbox.enqueue(tx, linkEvent(athleteId, coachId, false));
      return true;
    });
    if (!ended) throw notFound('coaching link');
  };
  ctx.http.delete(
    '/v1/me/coaches/:coachId',
    { preHandler: auth, schema: { tags, security, params: Type.Object({ coachId: Id('coach') }) } },
    async (req, reply) => {
      await end(identityOf(req).userId, req.params.coachId);
      return reply.status(204).send();
    },
  );
  ctx.http.delete(
    '/v1/me/athletes/:athleteId',
    { preHandler: coachAuth, schema: { tags, security, params: Type.Object({ athleteId: Id('athlete') }) } },
    async (req, reply) => {
      await end(req.params.athleteId, identityOf(req).userId);
      return reply.status(204).send();
    },
  );
}
