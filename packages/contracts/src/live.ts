import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { GROUP_RANK_BY } from './events/groups.js';
import { NotificationLive } from './events/notifications.js';
import { StatsUpdated } from './events/stats.js';
import { EpochMs, Id } from './ids.js';
import { Traceparent } from './trace-context.js';

/**
 * Live WebSocket protocol v1 (live server, `GET /v1/live` upgraded to a WebSocket). Text frames,
 * one JSON object each, discriminated by `type`.
 *
 * Authentication: a user JWT (audience `wattstream:user`) as the `access_token` query parameter,
 * or as the first message `{"type":"auth","token":…}`. Claims: `sub` (user / athlete id),
 * `roles` (`athlete`, `coach`, `admin`), `watch` (athlete ids the user may follow), `exp`.
 */
export const LIVE_PATH = '/v1/live';
export const LIVE_ROLES = ['athlete', 'coach', 'admin'] as const;
export type LiveRole = (typeof LIVE_ROLES)[number];

export const LIVE_CHANNEL_PATTERN_SOURCE = '^(athlete|group|user):[A-Za-z0-9_-]{1,64}$';
const LIVE_CHANNEL_PATTERN = new RegExp(LIVE_CHANNEL_PATTERN_SOURCE);
const Channel = Type.String({
  pattern: LIVE_CHANNEL_PATTERN_SOURCE,
  description: '`athlete:<athleteId>`, `group:<groupId>` or `user:<userId>` (own notifications; admin any)',
});

export type LiveChannel = { kind: 'athlete' | 'group' | 'user'; id: string };
export const liveChannel = {
  athlete: (id: string) => `athlete:${id}`,
  group: (id: string) => `group:${id}`,
  user: (id: string) => `user:${id}`,
};
export function parseLiveChannel(channel: unknown): LiveChannel | null {
  if (typeof channel !== 'string' || !LIVE_CHANNEL_PATTERN.test(channel)) return null;
  const i = channel.indexOf(':');
  return { kind: channel.slice(0, i) as LiveChannel['kind'], id: channel.slice(i + 1) };
}

// ── client → server ────────────────────────────────────────────────────────────────────────────

export const LiveAuth = Type.Object(
  {
    type: Type.Literal('auth'),
    token: Type.String({ minLength: 1, maxLength: 8192, description: 'user JWT; may be sent again to renew' }),
  },
  { $id: 'wattstream/v1/LiveAuth', additionalProperties: false, description: 'Authenticate (or renew).' },
);
export const LiveSubscribe = Type.Object(
  {
    type: Type.Literal('subscribe'),
    channel: Channel,
    since: Type.Optional(
      Type.Integer({
        minimum: 0,
        description: 'last seq the client has; frames after it are replayed from the short history',
      }),
    ),
  },
  { $id: 'wattstream/v1/LiveSubscribe', additionalProperties: false },
);
export const LiveUnsubscribe = Type.Object(
  { type: Type.Literal('unsubscribe'), channel: Channel },
  { $id: 'wattstream/v1/LiveUnsubscribe', additionalProperties: false },
);
export const LiveClientMessage = Type.Union([LiveAuth, LiveSubscribe, LiveUnsubscribe], {
  $id: 'wattstream/v1/LiveClientMessage',
  description: 'A message from a live client.',
});
/** The `type`s a live client may send. */
export const LIVE_CLIENT_MESSAGE_TYPES = ['auth', 'subscribe', 'unsubscribe'] as const;
export type LiveAuth = Static<typeof LiveAuth>;
export type LiveSubscribe = Static<typeof LiveSubscribe>;
export type LiveUnsubscribe = Static<typeof LiveUnsubscribe>;
export type LiveClientMessage = Static<typeof LiveClientMessage>;

/** A copy of a schema without any `$id`, to embed it more than once in one document (Ajv). */
const embed = <T extends TSchema>(schema: T): T => stripIds(schema) as T;
function stripIds(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripIds);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string | symbol, unknown> = {};
  for (const k of Reflect.ownKeys(v)) if (k !== '$id') out[k] = stripIds((v as Record<string | symbol, unknown>)[k]);
  return out;
}
const StatsData = embed(StatsUpdated);

// ── server → client ────────────────────────────────────────────────────────────────────────────

export const LeaderboardEntry = Type.Object(
  {
    rank: Type.Integer({ minimum: 1 }),
    athleteId: Id('athlete'),
    value: Type.Union([Type.Number(), Type.Null()], { description: 'the ranking value (by `rankBy`)' }),
    distance: Type.Number({ minimum: 0, description: 'session distance, m' }),
    avgPower: Type.Union([Type.Number(), Type.Null()], { description: 'session mean power, W' }),
    wkg: Type.Union([Type.Number(), Type.Null()], { description: 'avgPower / body weight, W/kg' }),
    power3s: Type.Union([Type.Number(), Type.Null()], { description: '3 s power, W' }),
    hr: Type.Union([Type.Number(), Type.Null()], { description: 'latest heart rate, bpm' }),
    speed: Type.Union([Type.Number(), Type.Null()], { description: 'latest speed, m/s' }),
    elapsedS: Type.Number({ minimum: 0 }),
    ts: Type.Union([EpochMs('event time of the stats used'), Type.Null()]),
  },
  { $id: 'wattstream/v1/LeaderboardEntry', additionalProperties: false },
);
export const Leaderboard = Type.Object(
  {
    groupId: Id('group'),
    name: Type.String(),
    rankBy: Type.Union(GROUP_RANK_BY.map((r) => Type.Literal(r))),
    ts: EpochMs('when the leaderboard was computed'),
    entries: Type.Array(LeaderboardEntry, {
      description: 'members with live stats, best first; members without stats are left out',
    }),
  },
  { $id: 'wattstream/v1/Leaderboard', additionalProperties: false },
);
export type LeaderboardEntry = Static<typeof LeaderboardEntry>;
export type Leaderboard = Static<typeof Leaderboard>;

export const LiveSubscribed = Type.Object(
  {
    type: Type.Literal('subscribed'),
    channel: Channel,
    snapshot: Type.Union([StatsData, embed(Leaderboard), Type.Null()], {
      description: 'the latest state of the channel at once (null when there is none yet)',
    }),
    seq: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()], { description: 'seq of the snapshot' }),
    replayed: Type.Optional(
      Type.Integer({ minimum: 0, description: 'with `since`: how many frames after it follow from the history' }),
    ),
    gap: Type.Optional(
      Type.Boolean({ description: 'with `since`: true when frames after `since` are older than the history' }),
    ),
  },
  { $id: 'wattstream/v1/LiveSubscribed', additionalProperties: false },
);
export const LiveStats = Type.Object(
  {
    type: Type.Literal('stats'),
    channel: Channel,
    seq: Type.Integer({ minimum: 0, description: 'StatsUpdated.seq' }),
    data: StatsData,
    traceparent: Type.Optional(
      Traceparent("the live server's span for this update, when it is traced: the last hop of the sample's trace"),
    ),
  },
  { $id: 'wattstream/v1/LiveStats', additionalProperties: false },
);
export const LiveLeaderboard = Type.Object(
  {
    type: Type.Literal('leaderboard'),
    channel: Channel,
    seq: Type.Integer({ minimum: 0, description: 'leaderboard counter of the group, increasing' }),
    data: embed(Leaderboard),
  },
  { $id: 'wattstream/v1/LiveLeaderboard', additionalProperties: false },
);
export const LiveNotification = Type.Object(
  {
    type: Type.Literal('notification'),
    channel: Channel,
    data: NotificationLive,
  },
  {
    $id: 'wattstream/v1/LiveNotification',
    additionalProperties: false,
    description: 'A `notifications.live` record for the user of channel `user:<id>`; not kept for snapshots.',
  },
);
export const LiveError = Type.Object(
  {
    type: Type.Literal('error'),
    code: Type.String({ description: 'stable code, e.g. WS_LIVE_FORBIDDEN' }),
    message: Type.String(),
    channel: Type.Optional(Channel),
  },
  { $id: 'wattstream/v1/LiveError', additionalProperties: false },
);
export const LiveServerMessage = Type.Union([LiveSubscribed, LiveStats, LiveLeaderboard, LiveNotification, LiveError], {
  $id: 'wattstream/v1/LiveServerMessage',
  description: 'A message from the live server.',
});
export type LiveSubscribed = Static<typeof LiveSubscribed>;
export type LiveStats = Static<typeof LiveStats>;
export type LiveLeaderboard = Static<typeof LiveLeaderboard>;
export type LiveNotification = Static<typeof LiveNotification>;
export type LiveError = Static<typeof LiveError>;
export type LiveServerMessage = Static<typeof LiveServerMessage>;

/** Error codes of the live protocol (in `{"type":"error","code"}` frames), with auth codes from platform. */
export const LiveErrorCode = {
  AuthRequired: 'WS_LIVE_AUTH_REQUIRED',
  BadMessage: 'WS_LIVE_BAD_MESSAGE',
  Forbidden: 'WS_LIVE_FORBIDDEN',
  UnknownGroup: 'WS_LIVE_UNKNOWN_GROUP',
  TooManySubscriptions: 'WS_LIVE_TOO_MANY_SUBSCRIPTIONS',
  SlowClient: 'WS_LIVE_SLOW_CLIENT',
  OriginRejected: 'WS_LIVE_ORIGIN_REJECTED',
  SubjectChanged: 'WS_LIVE_SUBJECT_CHANGED',
  /** a message whose `type` is not one of LIVE_CLIENT_MESSAGE_TYPES */
  UnknownType: 'WS_LIVE_UNKNOWN_TYPE',
  /** a message over LIVE_MAX_MESSAGE; the connection is closed with 1009 */
  MessageTooBig: 'WS_LIVE_MESSAGE_TOO_BIG',
  /** too many bad messages in a short time; the connection is closed with 1008 */
  TooManyErrors: 'WS_LIVE_TOO_MANY_ERRORS',
} as const;
export type LiveErrorCode = (typeof LiveErrorCode)[keyof typeof LiveErrorCode];

/** WebSocket close codes (4000–4999 are for applications, RFC 6455 §7.4.2). */
export const LIVE_CLOSE = {
  /** no, invalid or expired token */
  unauthorized: 4401,
  /** protocol violation: unparsable or unknown messages */
  badMessage: 4400,
  /** the client did not read fast enough; its buffer went over the limit */
  slowClient: 4408,
  /** the server is shutting down */
  goingAway: 1001,
  /** too many bad messages: Policy Violation (RFC 6455 §7.4.1) */
  policyViolation: 1008,
  /** a message over the size limit: Message Too Big (RFC 6455 §7.4.1) */
  messageTooBig: 1009,
} as const;
