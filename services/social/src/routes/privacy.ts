import { Privacy, PrivacyInput } from '@wattstream/contracts';
import { identityOf } from '@wattstream/kernel';
import { privacyOf, setPrivacy } from '../store/privacy.js';
import { type Auth, type Ctx, commit, security } from './common.js';

const tags = ['privacy'];

/** The caller's privacy: who may watch them live, see their sessions, see their location. */
export function privacyRoutes(ctx: Ctx, auth: Auth): void {
  ctx.http.get(
    '/v1/privacy',
    { preHandler: auth, schema: { tags, security, response: { 200: Privacy } } },
    async (req) => privacyOf(ctx.db, identityOf(req).userId),
  );
  ctx.http.put(
    '/v1/privacy',
    {
      preHandler: auth,
      schema: {
        tags,
        security,
        summary: 'set who may watch you live, see your sessions and your location',
        description:
          'A change reaches the live server through `social.privacy.updated`; a viewer who may no longer watch gets no further frame.',
        body: PrivacyInput,
        response: { 200: Privacy },
      },
    },
    async (req) =>
      commit(ctx, async (tx) => {
        const r = await setPrivacy(tx, identityOf(req).userId, req.body);
        return { result: r.privacy, events: [r.event] };
      }),
  );
}
