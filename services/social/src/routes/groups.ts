import { Type } from '@sinclair/typebox';
import { Group, GroupInput, GroupInvite, Id, Uuid } from '@wattstream/contracts';
import { type Identity, identityOf, KernelErrorCode, kernelError, notFound, type PoolClient } from '@wattstream/kernel';
import {
  createGroup,
  deleteGroup,
  groupFor,
  groupsOf,
  invite,
  join,
  lockGroup,
  removeMember,
} from '../store/groups.js';
import { type Auth, type Ctx, commit, security } from './common.js';

const tags = ['groups'];
const GroupParam = Type.Object({ groupId: Uuid('group') });

/**
 * Group rides: the owner creates one and invites athletes, invitees join, and the joined members
 * are the live leaderboard (`live.group.updated`; what a viewer sees of each member still follows
 * that member's own `live` audience).
 */
export function groupRoutes(ctx: Ctx, auth: Auth): void {
  const isAdmin = (who: Identity) => who.roles.includes('admin');
  /** The group locked for a change; 404 unless the caller may see it, 403 unless `owner` allows them. */
  const locked = async (tx: PoolClient, who: Identity, groupId: string, ownerOnly: boolean) => {
    const g = await lockGroup(tx, groupId);
    const seen = g && (await groupFor(tx, groupId, who.userId, isAdmin(who)));
    if (!g || !seen) throw notFound('group');
    if (ownerOnly && g.owner_id !== who.userId && !isAdmin(who)) {
      throw kernelError(KernelErrorCode.AuthForbidden, 'only the group’s owner may do this', { statusCode: 403 });
    }
    return g;
  };

  ctx.http.post(
    '/v1/groups',
    {
      preHandler: auth,
      schema: { tags, security, summary: 'create a group ride', body: GroupInput, response: { 201: Group } },
    },
    async (req, reply) => {
      const who = identityOf(req);
      const g = await commit(ctx, async (tx) => {
        const r = await createGroup(tx, who.userId, req.body);
        return { result: r.group, events: r.events };
      });
      return reply.status(201).send(g);
    },
  );

  ctx.http.get(
    '/v1/groups',
    {
      preHandler: auth,
      schema: {
        tags,
        security,
        summary: 'the group rides you own, joined or are invited to (newest 100)',
        response: { 200: Type.Object({ items: Type.Array(Group) }) },
      },
    },
    async (req) => ({ items: await groupsOf(ctx.db, identityOf(req).userId, 100) }),
  );

  ctx.http.get(
    '/v1/groups/:groupId',
    { preHandler: auth, schema: { tags, security, params: GroupParam, response: { 200: Group } } },
    async (req) => {
      const who = identityOf(req);
      const g = await groupFor(ctx.db, req.params.groupId, who.userId, isAdmin(who));
      if (!g) throw notFound('group');
      return g;
    },
  );

  ctx.http.post(
    '/v1/groups/:groupId/invites',
    {
      preHandler: auth,
      schema: {
        tags,
        security,
        summary: 'invite an athlete (owner)',
        params: GroupParam,
        body: GroupInvite,
        response: { 200: Group },
      },
    },
    async (req) =>
      ctx.tx(async (tx) => invite(tx, await locked(tx, identityOf(req), req.params.groupId, true), req.body.athleteId)),
  );

  ctx.http.post(
    '/v1/groups/:groupId/join',
    {
      preHandler: auth,
      schema: {
        tags,
        security,
        summary: 'join a group ride you are invited to',
        params: GroupParam,
        response: { 200: Group },
      },
    },
    async (req) => {
      const who = identityOf(req);
      return commit(ctx, async (tx) => {
        const r = await join(tx, await locked(tx, who, req.params.groupId, false), who.userId);
        return { result: r.group, events: r.events };
      });
    },
  );

  ctx.http.delete(
    '/v1/groups/:groupId/members/:athleteId',
    {
      preHandler: auth,
      schema: {
        tags,
        security,
        summary: 'leave a group ride, or (owner) take a member or invitation out',
        params: Type.Object({ groupId: Uuid('group'), athleteId: Id('member') }),
      },
    },
    async (req, reply) => {
      const who = identityOf(req);
      const self = req.params.athleteId === who.userId;
      await commit(ctx, async (tx) => {
        const g = await locked(tx, who, req.params.groupId, !self);
        if (req.params.athleteId === g.owner_id) {
          throw kernelError(
            KernelErrorCode.HttpConflict,
            'the owner cannot leave their group ride; delete it instead',
            {
              statusCode: 409,
            },
          );
        }
        return { result: undefined, events: await removeMember(tx, g, req.params.athleteId, who.userId) };
      });
      return reply.status(204).send();
    },
  );

  ctx.http.delete(
    '/v1/groups/:groupId',
    { preHandler: auth, schema: { tags, security, summary: 'delete a group ride (owner)', params: GroupParam } },
    async (req, reply) => {
      const who = identityOf(req);
      await commit(ctx, async (tx) => {
        const g = await locked(tx, who, req.params.groupId, true);
        return { result: undefined, events: await deleteGroup(tx, g.group_id) };
      });
      return reply.status(204).send();
    },
  );
}
