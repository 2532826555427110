import { Type } from '@sinclair/typebox';
import { Id, NotificationPage } from '@wattstream/contracts';
import type { ServiceContext } from '@wattstream/kernel';
import { WattstreamError } from '@wattstream/platform';
import { NotificationsErrorCode } from '../errors.js';
import { notificationPage } from '../store/notifications.js';
import { authorize } from './access.js';

const tags = ['notifications'];
const security = [{ bearer: [] }];
type Auth = ReturnType<ServiceContext<unknown>['auth']['required']>;

const encodeCursor = (c: { createdAt: string; id: string }) =>
  Buffer.from(JSON.stringify([c.createdAt, c.id])).toString('base64url');

function decodeCursor(raw: string | undefined): { createdAt: string; id: string } | undefined {
  if (raw === undefined) return undefined;
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as unknown[];
    if (typeof createdAt === 'string' && typeof id === 'string' && !Number.isNaN(Date.parse(createdAt))) {
      return { createdAt, id };
    }
  } catch {
    // falls through to the coded error
  }
  throw new WattstreamError(NotificationsErrorCode.CursorInvalid, 'cursor is not one this service issued', {
    statusCode: 400,
    details: { fields: [{ field: 'querystring.cursor', message: 'invalid cursor' }] },
  });
}

/** A user's notifications, newest first, with the state of each e-mail and webhook delivery. */
export function notificationRoutes(ctx: ServiceContext<unknown>, auth: Auth): void {
  ctx.http.get(
    '/v1/users/:userId/notifications',
    {
      preHandler: auth,
      schema: {
        tags,
        security,
        params: Type.Object({ userId: Id('user') }),
        querystring: Type.Object(
          {
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
            cursor: Type.Optional(Type.String({ maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: NotificationPage },
      },
    },
    async (req) => {
      authorize(req, req.params.userId, 'read', 'user');
      const page = await notificationPage(
        ctx.db,
        req.params.userId,
        req.query.limit ?? 20,
        decodeCursor(req.query.cursor),
      );
      return { items: page.items, nextCursor: page.more && page.last ? encodeCursor(page.last) : null };
    },
  );
}
