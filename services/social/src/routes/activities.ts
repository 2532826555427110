import { Type } from '@sinclair/typebox';
import {
  Activity,
  ActivityPage,
  Comment,
  CommentInput,
  CommentPage,
  FriendActivityUpdated,
  Uuid,
} from '@wattstream/contracts';
import { type Identity, identityOf, KernelErrorCode, kernelError, notFound } from '@wattstream/kernel';
import { activityById, feedOf, setKudos } from '../store/activities.js';
import { commentById, commentsOf, deleteComment, postComment } from '../store/comments.js';
import { maySee } from '../store/privacy.js';
import { type Auth, type Ctx, PageQuery, security } from './common.js';

const tags = ['feed'];
const ActivityParam = Type.Object({ activityId: FriendActivityUpdated.properties.activityId });

/**
 * The activity feed (rides of the people you follow, as far as each one's `sessions` audience
 * allows), kudos and comments. Whoever may not see an activity gets the 404 of an unknown one.
 */
export function activityRoutes(ctx: Ctx, auth: Auth): void {
  const visible = async (who: Identity, activityId: string) => {
    const a = await activityById(ctx.db, activityId, who.userId);
    if (!a || !(await maySee(ctx.db, who, a.actorId, 'sessions'))) throw notFound('activity');
    return a;
  };

  ctx.http.get(
    '/v1/feed',
    {
      preHandler: auth,
      schema: { tags, security, querystring: Type.Object(PageQuery), response: { 200: ActivityPage } },
    },
    async (req) => {
      const who = identityOf(req);
      return feedOf(
        ctx.db,
        { userId: who.userId, coach: who.roles.includes('coach') },
        req.query.limit,
        req.query.cursor,
      );
    },
  );

  ctx.http.get(
    '/v1/activities/:activityId',
    { preHandler: auth, schema: { tags, security, params: ActivityParam, response: { 200: Activity } } },
    async (req) => visible(identityOf(req), req.params.activityId),
  );

  for (const [method, on] of [
    ['put', true],
    ['delete', false],
  ] as const) {
    ctx.http[method](
      '/v1/activities/:activityId/kudos',
      {
        preHandler: auth,
        schema: { tags, security, summary: on ? 'give kudos (idempotent)' : 'take kudos back', params: ActivityParam },
      },
      async (req, reply) => {
        const who = identityOf(req);
        await visible(who, req.params.activityId);
        await setKudos(ctx.db, req.params.activityId, who.userId, on);
        return reply.status(204).send();
      },
    );
  }

  ctx.http.get(
    '/v1/activities/:activityId/comments',
    {
      preHandler: auth,
      schema: {
        tags,
        security,
        params: ActivityParam,
        querystring: Type.Object(PageQuery),
        response: { 200: CommentPage },
      },
    },
    async (req) => {
      await visible(identityOf(req), req.params.activityId);
      return commentsOf(ctx.db, req.params.activityId, req.query.limit, req.query.cursor);
    },
  );

  ctx.http.post(
    '/v1/activities/:activityId/comments',
    {
      preHandler: auth,
      schema: {
        tags,
        security,
        summary: 'comment on an activity you may see',
        description:
          'At most SOCIAL_COMMENT_RATE comments per SOCIAL_COMMENT_WINDOW per user: 429 with Retry-After beyond.',
        params: ActivityParam,
        body: CommentInput,
        response: { 201: Comment },
      },
    },
    async (req, reply) => {
      const who = identityOf(req);
      await visible(who, req.params.activityId);
      const c = await ctx.tx((tx) =>
        postComment(
          tx,
          { activityId: req.params.activityId, authorId: who.userId, body: req.body.body },
          { rate: ctx.config.commentRate, windowMs: ctx.config.commentWindow },
        ),
      );
      return reply.status(201).send(c);
    },
  );

  ctx.http.delete(
    '/v1/comments/:commentId',
    {
      preHandler: auth,
      schema: {
        tags,
        security,
        summary: 'delete a comment: your own, or any on your activity (moderation)',
        params: Type.Object({ commentId: Uuid('comment') }),
      },
    },
    async (req, reply) => {
      const who = identityOf(req);
      const c = await commentById(ctx.db, req.params.commentId);
      if (!c) throw notFound('comment');
      const a = await visible(who, c.activityId);
      if (c.authorId !== who.userId && a.actorId !== who.userId && !who.roles.includes('admin')) {
        throw kernelError(
          KernelErrorCode.AuthForbidden,
          'only its author or the activity’s athlete may delete a comment',
          {
            statusCode: 403,
          },
        );
      }
      await deleteComment(ctx.db, c.id);
      return reply.status(204).send();
    },
  );
}
