import { type Static, Type } from '@sinclair/typebox';
import { EpochMs, Id } from '../ids.js';

/** What followers see of a finished activity. */
export const ActivitySummary = Type.Object(
  {
    durationS: Type.Number({ minimum: 0 }),
    distanceM: Type.Number({ minimum: 0 }),
    kj: Type.Number({ minimum: 0 }),
    avgPower: Type.Union([Type.Number(), Type.Null()]),
  },
  { additionalProperties: false },
);
export type ActivitySummary = Static<typeof ActivitySummary>;

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
    summary: Type.Optional(ActivitySummary),
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

/** Who may see one kind of an athlete's data. `friends`: followers the athlete accepted. */
export const AUDIENCES = ['nobody', 'friends', 'coach', 'public'] as const;
export type Audience = (typeof AUDIENCES)[number];
export const AudienceSchema = Type.Union(
  AUDIENCES.map((a) => Type.Literal(a)),
  {
    description:
      'nobody: only the athlete; friends: accepted followers (and the athlete\u2019s coaches); coach: the athlete\u2019s coaches; public: any signed-in user',
  },
);

/**
 * Value of a `social.follow.updated` record (key = followeeId, so one followee's edges stay in
 * order): one follow edge changed. Live keeps the

 * accepted edges to decide `friends` audiences; notifications tells followees of requests and
 * followers of rides.
 */
export const FollowUpdated = Type.Object(
  {
    followerId: Id('user who follows (or asked to)'),
    followeeId: Id('user being followed'),
    state: Type.Union(
      [
        Type.Literal('requested'),
        Type.Literal('accepted'),
        Type.Literal('declined'),
        Type.Literal('removed'),
        Type.Literal('blocked'),
      ],
      { description: 'requested → accepted | declined; removed (either side ended it); blocked (by the followee)' },
    ),
    updatedAt: EpochMs('when the edge changed'),
  },
  {
    $id: 'wattstream/v1/FollowUpdated',
    additionalProperties: false,
    description: 'A follow edge between two users changed state.',
  },
);
export type FollowUpdated = Static<typeof FollowUpdated>;

/**
 * Value of a `social.privacy.updated` record (key = athleteId, compacted: the latest per athlete
 * wins): who may watch the athlete live, see their sessions, see their location. An athlete with
 * no record has the defaults of `DEFAULT_PRIVACY`.
 */
export const PrivacyUpdated = Type.Object(
  {
    athleteId: Id('athlete whose settings these are'),
    live: AudienceSchema,
    sessions: AudienceSchema,
    location: AudienceSchema,
    updatedAt: EpochMs('when the settings changed'),
  },
  {
    $id: 'wattstream/v1/PrivacyUpdated',
    additionalProperties: false,
    description: "An athlete's privacy settings: the audience of their live data, sessions and location.",
  },
);
export type PrivacyUpdated = Static<typeof PrivacyUpdated>;

/** Settings of an athlete who never changed them: their coaches see everything, nobody else. */
export const DEFAULT_PRIVACY: Readonly<Pick<PrivacyUpdated, 'live' | 'sessions' | 'location'>> = {
  live: 'coach',
  sessions: 'coach',
  location: 'coach',
};
