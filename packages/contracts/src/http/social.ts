import { type Static, Type } from '@sinclair/typebox';
import { GROUP_RANK_BY, MAX_GROUP_MEMBERS } from '../events/groups.js';
import { ActivitySummary, AudienceSchema, FollowUpdated, FriendActivityUpdated } from '../events/social.js';
import { Id, Uuid } from '../ids.js';

/** REST shapes of the social service (`/v1/...`, exposed by the gateway under `/social`). */

const Timestamp = Type.String({ format: 'date-time' });
const NextCursor = Type.Union([Type.String(), Type.Null()], { description: 'pass as `cursor` for the next page' });
const page = <T extends ReturnType<typeof Type.Object>>(item: T, $id: string) =>
  Type.Object({ items: Type.Array(item), nextCursor: NextCursor }, { $id, additionalProperties: false });

// ---- follows ----

export const FollowInput = Type.Object(
  { followeeId: Id('user to follow') },
  { $id: 'wattstream/social/FollowInput', additionalProperties: false },
);
export type FollowInput = Static<typeof FollowInput>;

export const Follow = Type.Object(
  {
    followerId: FollowUpdated.properties.followerId,
    followeeId: FollowUpdated.properties.followeeId,
    state: FollowUpdated.properties.state,
    updatedAt: Timestamp,
  },
  { $id: 'wattstream/social/Follow', additionalProperties: false },
);
export type Follow = Static<typeof Follow>;
export const FollowPage = page(Follow, 'wattstream/social/FollowPage');
export type FollowPage = Static<typeof FollowPage>;

/** Body of `PUT /v1/followers/{followerId}`: the followee answers a request (or blocks). */
export const FollowerDecision = Type.Object(
  {
    state: Type.Union([Type.Literal('accepted'), Type.Literal('declined'), Type.Literal('blocked')], {
      description:
        'accepted / declined answer a request; blocked also ends an accepted follow and refuses new requests',
    }),
  },
  { $id: 'wattstream/social/FollowerDecision', additionalProperties: false },
);
export type FollowerDecision = Static<typeof FollowerDecision>;

// ---- privacy ----

export const PrivacyInput = Type.Object(
  { live: AudienceSchema, sessions: AudienceSchema, location: AudienceSchema },
  { $id: 'wattstream/social/PrivacyInput', additionalProperties: false },
);
export type PrivacyInput = Static<typeof PrivacyInput>;

export const Privacy = Type.Object(
  {
    athleteId: Id('athlete'),
    live: AudienceSchema,
    sessions: AudienceSchema,
    location: AudienceSchema,
    updatedAt: Type.Union([Timestamp, Type.Null()], { description: 'null: never changed, these are the defaults' }),
  },
  { $id: 'wattstream/social/Privacy', additionalProperties: false },
);
export type Privacy = Static<typeof Privacy>;

// ---- activity feed ----

export const Activity = Type.Object(
  {
    activityId: FriendActivityUpdated.properties.activityId,
    actorId: FriendActivityUpdated.properties.actorId,
    state: Type.Union([Type.Literal('live'), Type.Literal('completed')], {
      description: 'live: the ride is on; completed: its summary is in',
    }),
    sport: FriendActivityUpdated.properties.sport,
    startedAt: Timestamp,
    summary: Type.Union([ActivitySummary, Type.Null()]),
    kudos: Type.Integer({ minimum: 0 }),
    comments: Type.Integer({ minimum: 0 }),
    kudoed: Type.Boolean({ description: 'you gave kudos' }),
  },
  { $id: 'wattstream/social/Activity', additionalProperties: false },
);
export type Activity = Static<typeof Activity>;
export const ActivityPage = page(Activity, 'wattstream/social/ActivityPage');
export type ActivityPage = Static<typeof ActivityPage>;

export const COMMENT_MAX_CHARS = 2000;

export const CommentInput = Type.Object(
  { body: Type.String({ minLength: 1, maxLength: COMMENT_MAX_CHARS, description: 'plain text' }) },
  { $id: 'wattstream/social/CommentInput', additionalProperties: false },
);
export type CommentInput = Static<typeof CommentInput>;

export const Comment = Type.Object(
  {
    id: Uuid('comment'),
    activityId: FriendActivityUpdated.properties.activityId,
    authorId: Id('author'),
    body: Type.String(),
    createdAt: Timestamp,
  },
  { $id: 'wattstream/social/Comment', additionalProperties: false },
);
export type Comment = Static<typeof Comment>;
export const CommentPage = page(Comment, 'wattstream/social/CommentPage');
export type CommentPage = Static<typeof CommentPage>;

// ---- groups and group rides ----

const RankBy = Type.Union(
  GROUP_RANK_BY.map((r) => Type.Literal(r)),
  { description: 'what the live leaderboard ranks by' },
);

export const GroupInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 120 }),
    rankBy: RankBy,
    startsAt: Type.Optional(Timestamp),
  },
  { $id: 'wattstream/social/GroupInput', additionalProperties: false },
);
export type GroupInput = Static<typeof GroupInput>;

export const GroupMember = Type.Object(
  {
    athleteId: Id('athlete'),
    state: Type.Union([Type.Literal('invited'), Type.Literal('joined')], {
      description: 'only joined members are on the live leaderboard',
    }),
  },
  { additionalProperties: false },
);

export const Group = Type.Object(
  {
    groupId: Uuid('group'),
    ownerId: Id('who created the group ride'),
    name: Type.String(),
    rankBy: RankBy,
    startsAt: Type.Union([Timestamp, Type.Null()]),
    members: Type.Array(GroupMember, { maxItems: MAX_GROUP_MEMBERS }),
    liveChannel: Type.String({ description: 'the live WebSocket channel of its leaderboard, `group:{groupId}`' }),
  },
  { $id: 'wattstream/social/Group', additionalProperties: false },
);
export type Group = Static<typeof Group>;

export const GroupInvite = Type.Object(
  { athleteId: Id('athlete to invite') },
  { $id: 'wattstream/social/GroupInvite', additionalProperties: false },
);
export type GroupInvite = Static<typeof GroupInvite>;
