import { Type } from '@sinclair/typebox';
import { Id, Preferences, PreferencesUpdate } from '@wattstream/contracts';
import { KernelErrorCode, type ServiceContext } from '@wattstream/kernel';
import { WattstreamError } from '@wattstream/platform';
import { NotificationsErrorCode } from '../errors.js';
import { etagOf, preferencesOf, savePreferences } from '../store/preferences.js';
import { authorize } from './access.js';

const tags = ['preferences'];
const security = [{ bearer: [] }];
type Auth = ReturnType<ServiceContext<unknown>['auth']['required']>;
const params = Type.Object({ userId: Id('user') });

/** `If-Match: "v3"` (or its weak form) → 3; absent → no precondition. */
function ifMatch(header: string | undefined): number | undefined {
  if (header === undefined) return undefined;
  const m = /^(?:W\/)?"v(\d{1,9})"$/.exec(header.trim());
  if (!m) {
    throw new WattstreamError(
      KernelErrorCode.HttpPreconditionFailed,
      `If-Match ${header} is not an ETag of these preferences`,
      {
        statusCode: 412,
      },
    );
  }
  return Number(m[1]);
}

/** A user's notification settings: channels, per-kind overrides, quiet hours, digest. */
export function preferenceRoutes(ctx: ServiceContext<unknown>, auth: Auth): void {
  ctx.http.get(
    '/v1/users/:userId/preferences',
    { preHandler: auth, schema: { tags, security, params, response: { 200: Preferences } } },
    async (req, reply) => {
      authorize(req, req.params.userId, 'read', 'preferences');
      const p = await preferencesOf(ctx.db, req.params.userId);
      return reply.header('etag', etagOf(p.version)).send(p);
    },
  );

  ctx.http.put(
    '/v1/users/:userId/preferences',
    {
      preHandler: auth,
      schema: {
        tags,
        security,
        params,
        body: PreferencesUpdate,
        headers: Type.Object({ 'if-match': Type.Optional(Type.String({ maxLength: 40 })) }),
        response: { 200: Preferences },
      },
    },
    async (req, reply) => {
      authorize(req, req.params.userId, 'write', 'preferences');
      const q = req.body.quietHours;
      if (q && q.start === q.end) {
        throw new WattstreamError(
          NotificationsErrorCode.QuietHoursInvalid,
          'quiet hours must start and end at different times (null for none)',
          { statusCode: 400, details: { fields: [{ field: 'body.quietHours.end', message: 'equals start' }] } },
        );
      }
      const p = await savePreferences(ctx.db, req.params.userId, req.body, ifMatch(req.headers['if-match']));
      return reply.header('etag', etagOf(p.version)).send(p);
    },
  );
}
