import { Type } from '@sinclair/typebox';
import { LegacySession, LegacySessionPage, LegacySessionRequest } from '@wattstream/contracts';
import { identityOf, KernelErrorCode, kernelError, notFound, type ServiceContext } from '@wattstream/kernel';
import { insertSession, sessionOf, sessionsOf } from '../store/sessions.js';
import type { Auth } from './auth.js';

const tags = ['sessions'];

function parseCursor(cursor: string | undefined): { startedAt: string; id: string } | undefined {
  if (cursor === undefined) return undefined;
  const [startedAt, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!startedAt || !id || Number.isNaN(Date.parse(startedAt))) {
    throw kernelError(KernelErrorCode.HttpValidation, 'cursor is not one this API returned', {
      statusCode: 400,
      details: { fields: [{ field: 'querystring.cursor', message: 'unknown cursor' }] },
    });
  }
  return { startedAt, id };
}

/** The caller's sessions (newest first, paged), one session, and a session entered by hand. */
export function sessionRoutes(ctx: ServiceContext<unknown>, auth: Auth): void {
  ctx.http.get(
    '/training/v1/sessions',
    {
      preHandler: auth,
      schema: {
        tags,
        querystring: Type.Object(
          {
            limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
            cursor: Type.Optional(Type.String({ maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: LegacySessionPage },
      },
    },
    async (req) => sessionsOf(ctx.db, identityOf(req).userId, req.query.limit, parseCursor(req.query.cursor)),
  );
  ctx.http.post(
    '/training/v1/sessions',
    { preHandler: auth, schema: { tags, body: LegacySessionRequest, response: { 201: LegacySession } } },
    async (req, reply) => reply.status(201).send(await insertSession(ctx.db, identityOf(req).userId, req.body)),
  );
  ctx.http.get(
    '/training/v1/sessions/:id',
    {
      preHandler: auth,
      schema: { tags, params: Type.Object({ id: LegacySession.properties.id }), response: { 200: LegacySession } },
    },
    async (req) => {
      const s = await sessionOf(ctx.db, identityOf(req).userId, req.params.id);
      if (!s) throw notFound('session');
      return s;
    },
  );
}
