import { Type } from '@sinclair/typebox';
import { Follow, FollowerDecision, FollowInput, FollowPage, Id } from '@wattstream/contracts';
import { identityOf } from '@wattstream/kernel';
import { decideFollower, listFollows, removeEdge, requestFollow } from '../store/follows.js';
import { type Auth, type Ctx, commit, PageQuery, security } from './common.js';

const tags = ['follows'];

/**
 * Follow requests and their answers. Every change is a `social.follow.updated` (the live server and
 * notifications keep the accepted edges from it).
 */
export function followRoutes(ctx: Ctx, auth: Auth): void {
  ctx.http.post(
    '/v1/follows',
    {
      preHandler: auth,
      schema: {
        tags,
        security,
        summary: 'ask to follow a user (201; 200 when a request or follow already stands)',
        body: FollowInput,
        response: { 200: Follow, 201: Follow },
      },
    },
    async (req, reply) => {
      const me = identityOf(req).userId;
      const { follow, created } = await commit(ctx, async (tx) => {
        const r = await requestFollow(tx, me, req.body.followeeId);
        return { result: { follow: r.follow, created: r.events.length > 0 }, events: r.events };
      });
      return reply.status(created ? 201 : 200).send(follow);
    },
  );

  ctx.http.get(
    '/v1/follows',
    {
      preHandler: auth,
      schema: {
        tags,
        security,
        summary: 'your follow edges',
        description:
          '`as=follower`: whom you follow or asked to follow; `as=followee`: who follows you or asks to (pending requests: `state=requested`).',
        querystring: Type.Object({
          as: Type.Union([Type.Literal('follower'), Type.Literal('followee')], { default: 'follower' }),
          state: Type.Optional(
            Type.Union([Type.Literal('requested'), Type.Literal('accepted'), Type.Literal('blocked')]),
          ),
          ...PageQuery,
        }),
        response: { 200: FollowPage },
      },
    },
    async (req) => {
      const { as, state, limit, cursor } = req.query;
      const states = state ? [state] : (['requested', 'accepted'] as const);
      return listFollows(ctx.db, identityOf(req).userId, as, [...states], limit, cursor);
    },
  );

  ctx.http.delete(
    '/v1/follows/:followeeId',
    {
      preHandler: auth,
      schema: {
        tags,
        security,
        summary: 'unfollow (or withdraw a request)',
        params: Type.Object({ followeeId: Id('user') }),
      },
    },
    async (req, reply) => {
      const me = identityOf(req).userId;
      await commit(ctx, async (tx) => ({
        result: undefined,
        events: [await removeEdge(tx, me, req.params.followeeId, false)],
      }));
      return reply.status(204).send();
    },
  );

  const FollowerParam = Type.Object({ followerId: Id('user who follows you or asks to') });
  ctx.http.put(
    '/v1/followers/:followerId',
    {
      preHandler: auth,
      schema: {
        tags,
        security,
        summary: 'accept or decline a follow request, or block a user',
        params: FollowerParam,
        body: FollowerDecision,
        response: { 200: Follow },
      },
    },
    async (req) => {
      const me = identityOf(req).userId;
      return commit(ctx, async (tx) => {
        const r = await decideFollower(tx, me, req.params.followerId, req.body.state);
        return { result: r.follow, events: r.events };
      });
    },
  );

  ctx.http.delete(
    '/v1/followers/:followerId',
    {
      preHandler: auth,
      schema: {
        tags,
        security,
        summary: 'remove a follower, refuse a request, or lift a block',
        params: FollowerParam,
      },
    },
    async (req, reply) => {
      const me = identityOf(req).userId;
      await commit(ctx, async (tx) => ({
        result: undefined,
        events: [await removeEdge(tx, req.params.followerId, me, true)],
      }));
      return reply.status(204).send();
    },
  );
}
