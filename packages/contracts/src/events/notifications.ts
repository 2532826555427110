import { type Static, Type } from '@sinclair/typebox';
import { EpochMs, Id } from '../ids.js';

/**
 * Value of a `notifications.live` record (key = userId): one notification for a user's live
 * channel. The live server pushes it to that user's open sockets (channel `user:{userId}`); a
 * user with no socket open misses it there (email, webhook and the notification list still have it).
 */
export const NotificationLive = Type.Object(
  {
    notificationId: Type.String({ minLength: 1, maxLength: 128, description: 'stable id; clients de-duplicate by it' }),
    userId: Id('recipient'),
    kind: Type.String({ pattern: '^[a-z][a-z0-9_.-]{0,63}$', description: 'e.g. friend.ride.started' }),
    title: Type.String({ minLength: 1, maxLength: 200 }),
    body: Type.String({ maxLength: 2000 }),
    locale: Type.String({ pattern: '^[a-z]{2}(-[A-Z]{2})?$', description: 'locale the text is in' }),
    link: Type.Optional(Type.String({ maxLength: 512, description: 'path in the app the notification points to' })),
    createdAt: EpochMs('when the notification was created'),
  },
  {
    $id: 'wattstream/v1/NotificationLive',
    additionalProperties: false,
    description: "A notification for a user's open live connections.",
  },
);
export type NotificationLive = Static<typeof NotificationLive>;
