import { DeleteAccountRequest, kafkaTopics, Me } from '@wattstream/contracts';
import { identityOf, KernelErrorCode, kernelError, notFound, type ServiceContext } from '@wattstream/kernel';
import { WattstreamError } from '@wattstream/platform';
import { UsersErrorCode } from '../errors.js';
import { verifyPassword } from '../passwords.js';
import { athletesOf, coachesOf, linkEvent } from '../store/coaching.js';
import { edgeEvent, edgesOf } from '../store/edges.js';
import { profileById } from '../store/profiles.js';
import { deleteUser, meOf, userById } from '../store/users.js';

const tags = ['account'];
const security = [{ bearer: [] }];
type Auth = ReturnType<ServiceContext<unknown>['auth']['required']>;

/** `GET /v1/me`, GDPR export (`GET /v1/me/export`) and erasure (`DELETE /v1/me`). */
export function accountRoutes(ctx: ServiceContext<unknown>, auth: Auth): void {
  ctx.http.get('/v1/me', { preHandler: auth, schema: { tags, security, response: { 200: Me } } }, async (req) => {
    const u = await userById(ctx.db, identityOf(req).userId);
    // A valid token of a deleted account: the caller is nobody any more.
    if (!u) throw kernelError(KernelErrorCode.AuthRequired, 'this account no longer exists', { statusCode: 401 });
    return meOf(u);
  });

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
  // `user.account.deleted`, a tombstone for the compacted profile, the end of each coaching link,
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
