import { Type } from '@sinclair/typebox';
import type { ServiceContext } from '@wattstream/kernel';
import type { KeyRing } from '../keys.js';

type Auth = ReturnType<ServiceContext<unknown>['auth']['required']>;

/** `GET /.well-known/jwks.json` (anonymous) and key rotation for admins. */
export function keyRoutes(ctx: ServiceContext<unknown>, keys: KeyRing, adminAuth: Auth): void {
  ctx.http.get('/.well-known/jwks.json', { schema: { tags: ['keys'] } }, async (_req, reply) => {
    // Verifiers cache the set; after a rotation they fetch it again when they meet an unknown kid.
    return reply.header('cache-control', 'public, max-age=300').send(keys.jwks());
  });
  ctx.http.post(
    '/v1/admin/signing-keys/rotate',
    {
      preHandler: adminAuth,
      schema: {
        tags: ['keys'],
        security: [{ bearer: [] }],
        body: Type.Object({ revokePrevious: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
      },
    },
    async (req) => keys.rotate({ revokePrevious: req.body.revokePrevious ?? false }),
  );
}
