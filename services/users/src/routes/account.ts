import { AccountUpdate, DeleteAccountRequest, kafkaTopics, Me } from '@wattstream/contracts';
import { identityOf, KernelErrorCode, kernelError, notFound, type ServiceContext } from '@wattstream/kernel';
import { WattstreamError } from '@wattstream/platform';
import { UsersErrorCode } from '../errors.js';
import { verifyPassword } from '../passwords.js';
import { athletesOf, coachesOf, linkEvent } from '../store/coaching.js';
import { edgeEvent, edgesOf } from '../store/edges.js';
import { profileById } from '../store/profiles.js';
import {
  canonicalTimeZone,
  contactEvent,
  contactTombstone,
  deleteUser,
  meOf,
  updateAccount,
  userById,
} from '../store/users.js';

const tags = ['account'];
const security = [{ bearer: [] }];
type Auth = ReturnType<ServiceContext<unknown>['auth']['required']>;

/** `GET /v1/me`, `PATCH /v1/me` (name, locale, time zone), GDPR export (`GET /v1/me/export`) and erasure (`DELETE /v1/me`). */
export function accountRoutes(ctx: ServiceContext<unknown>, auth: Auth): void {
  ctx.http.get('/v1/me', { preHandler: auth, schema: { tags, security, response: { 200: Me } } }, async (req) => {
    const u = await userById(ctx.db, identityOf(req).userId);
    // A valid token of a deleted account: the caller is nobody any more.
    if (!u) throw kernelError(KernelErrorCode.AuthRequired, 'this account no longer exists', { statusCode: 401 });
    return meOf(u);
  });

  // Name, language and time zone: what notifications needs to address a user. Each change is a
  // `user.contact.updated` in the same transaction.
  ctx.http.patch(
    '/v1/me',
    { preHandler: auth, schema: { tags, security, body: AccountUpdate, response: { 200: Me } } },
    async (req) => {
      const id = identityOf(req).userId;
      const timeZone = req.body.timeZone === undefined ? undefined : canonicalTimeZone(req.body.timeZone);
      if (req.body.timeZone !== undefined && timeZone === undefined) {
        throw new WattstreamError(
          UsersErrorCode.TimeZoneInvalid,
          `${req.body.timeZone} is not an IANA time zone (e.g. Europe/Moscow, UTC)`,
          { statusCode: 400, details: { fields: [{ field: 'body.timeZone', message: 'unknown time zone' }] } },
        );
      }
      const u = await ctx.tx(async (tx) => {
        const updated = await updateAccount(tx, id, { ...req.body, timeZone });
        if (updated) await ctx.outbox.enqueue(tx, contactEvent(updated));
        return updated;
      });
      if (!u) throw kernelError(KernelErrorCode.AuthRequired, 'this account no longer exists', { statusCode: 401 });
      return meOf(u);
    },
  );

  // Everything the users service holds about the caller, as JSON (GDPR art. 15 and 20).
  ctx.http.get('/v1/me/export', { preHandler: auth, schema: { tags, security } }, async (req, reply) => {
    const id = identityOf(req).userId;
    const u = await userById(ctx.db, id);
    if (!u) throw notFound('user');
    const { rows: invitations } = await ctx.db.query(
      'SELECT id, coach_email AS "coachEmail", status, created_at AS "createdAt" FROM coach_invitations WHERE athlete_id = $1',
      [id],
    );
    return reply.header('content-disposition', `attachment; filename="wattstream-users-${id}.json"`).send({
      exportedAt: new Date().toISOString(),
      account: meOf(u),
      profile: (await profileById(ctx.db, id)) ?? null,
      coaches: await coachesOf(ctx.db, id),
      athletes: await athletesOf(ctx.db, id),
      coachInvitations: invitations,
      edges: await edgesOf(ctx.db, id),
    });
  });

  // Erasure (GDPR art. 17): the rows go, and events tell every other service to forget the user —
  // `user.account.deleted`, tombstones for the compacted profile and contact details, the end of each coaching link,
  // and the revocation of each edge.
  ctx.http.delete(
    '/v1/me',
    { preHandler: auth, schema: { tags, security, body: DeleteAccountRequest } },
    async (req, reply) => {
      const id = identityOf(req).userId;
      const u = await userById(ctx.db, id);
      if (!u) throw notFound('user');
      if (!(await verifyPassword(u.password_hash, req.body.password))) {
        throw new WattstreamError(UsersErrorCode.InvalidCredentials, 'the password is wrong', { statusCode: 401 });
      }
      await ctx.tx(async (tx) => {
        const coaches = await coachesOf(tx, id);
        const athletes = await athletesOf(tx, id);
        const edges = await edgesOf(tx, id);
        await deleteUser(tx, id);
        await ctx.outbox.enqueue(
          tx,
          { topic: kafkaTopics.accountDeleted, key: id, value: { userId: id, deletedAt: Date.now() } },
          { topic: kafkaTopics.profileUpdated, key: id, value: null, id: `${id}:deleted` },
          contactTombstone(id),
          ...coaches.map((c) => linkEvent(id, c.id, false)),
          ...athletes.map((a) => linkEvent(a.id, id, false)),
          ...edges
            .filter((e) => e.revokedAt === null)
            .map((e) => edgeEvent({ id: e.edgeId, owner_id: id, revoked: true, credentialId: null })),
        );
      });
      ctx.logger.info({ userId: id }, 'account deleted');
      return reply.status(204).send();
    },
  );
}
