import { Type } from '@sinclair/typebox';
import { Id, Profile, ProfileUpdate } from '@wattstream/contracts';
import { identityOf, KernelErrorCode, notFound, type ServiceContext } from '@wattstream/kernel';
import { WattstreamError } from '@wattstream/platform';
import { coaches } from '../store/coaching.js';
import { checkProfile, etagOf, profileById, profileEvent, updateProfile } from '../store/profiles.js';

const tags = ['profile'];
const security = [{ bearer: [] }];

/** `If-Match: "v3"` (or its weak form) → 3. */
function expectedVersion(header: string | undefined): number {
  if (header === undefined) {
    throw new WattstreamError(
      KernelErrorCode.HttpPreconditionRequired,
      'send If-Match with the ETag of the profile you read (GET /v1/me/profile), so no change is lost',
      { statusCode: 428 },
    );
  }
  const m = /^(?:W\/)?"v(\d{1,9})"$/.exec(header.trim());
  if (!m) {
    throw new WattstreamError(
      KernelErrorCode.HttpPreconditionFailed,
      `If-Match ${header} is not an ETag of this profile`,
      {
        statusCode: 412,
      },
    );
  }
  return Number(m[1]);
}

/** The athlete's training profile, read and replaced with optimistic concurrency (ETag / If-Match). */
export function profileRoutes(
  ctx: ServiceContext<unknown>,
  auth: ReturnType<ServiceContext<unknown>['auth']['required']>,
): void {
  ctx.http.get(
    '/v1/me/profile',
    { preHandler: auth, schema: { tags, security, response: { 200: Profile } } },
    async (req, reply) => {
      const p = await profileById(ctx.db, identityOf(req).userId);
      if (!p) throw notFound('profile');
      return reply.header('etag', etagOf(p.version)).send(p);
    },
  );

  ctx.http.put(
    '/v1/me/profile',
    {
      preHandler: auth,
      schema: {
        tags,
        security,
        body: ProfileUpdate,
        headers: Type.Object({ 'if-match': Type.Optional(Type.String({ maxLength: 40 })) }),
        response: { 200: Profile },
      },
    },
    async (req, reply) => {
      const expected = expectedVersion(req.headers['if-match']);
      checkProfile(req.body);
      const athleteId = identityOf(req).userId;
      const p = await ctx.tx(async (tx) => {
        const updated = await updateProfile(tx, athleteId, expected, req.body);
        await ctx.outbox.enqueue(tx, profileEvent(updated));
        return updated;
      });
      return reply.header('etag', etagOf(p.version)).send(p);
    },
  );

  // A coach reads the profiles of the athletes they coach; anyone else gets the 404 an unknown id gets.
  ctx.http.get(
    '/v1/athletes/:athleteId/profile',
    {
      preHandler: auth,
      schema: { tags, security, params: Type.Object({ athleteId: Id('athlete') }), response: { 200: Profile } },
    },
    async (req, reply) => {
      const me = identityOf(req);
      const { athleteId } = req.params;
      if (athleteId !== me.userId && !(me.roles.includes('coach') && (await coaches(ctx.db, me.userId, athleteId)))) {
        throw notFound('profile');
      }
      const p = await profileById(ctx.db, athleteId);
      if (!p) throw notFound('profile');
      return reply.header('etag', etagOf(p.version)).send(p);
    },
  );
}
