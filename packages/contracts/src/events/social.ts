import { type Static, Type } from '@sinclair/typebox';
import { EpochMs, Id } from '../ids.js';

/** Value of a `friend.activity.updated` record (key = actorId): feeds friends' activity streams. */
export const FriendActivityUpdated = Type.Object(
  {
    activityId: Type.String({ minLength: 1, maxLength: 128, description: 'activity (e.g. a session id)' }),
    actorId: Id('user whose activity changed'),
    verb: Type.Union(
      [Type.Literal('started'), Type.Literal('completed'), Type.Literal('updated'), Type.Literal('deleted')],
      { description: 'what happened to the activity' },
    ),
    sport: Type.Union([Type.Literal('ride'), Type.Literal('run'), Type.Literal('other')]),
    title: Type.Optional(Type.String({ maxLength: 200 })),
    summary: Type.Optional(
      Type.Object(
        {
          durationS: Type.Number({ minimum: 0 }),
          distanceM: Type.Number({ minimum: 0 }),
          kj: Type.Number({ minimum: 0 }),
          avgPower: Type.Union([Type.Number(), Type.Null()]),
        },
        { additionalProperties: false },
      ),
    ),
    visibility: Type.Union([Type.Literal('public'), Type.Literal('followers'), Type.Literal('private')]),
    occurredAt: EpochMs('when the activity changed'),
  },
  {
    $id: 'wattstream/v1/FriendActivityUpdated',
    additionalProperties: false,
    description: "A user's activity changed; social fans it out to the user's followers.",
  },
);
export type FriendActivityUpdated = Static<typeof FriendActivityUpdated>;
