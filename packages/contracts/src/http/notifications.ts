import { type Static, Type } from '@sinclair/typebox';
import { Id, Uuid } from '../ids.js';

/** REST shapes of the notifications service (`/v1/...`, exposed by the gateway under `/notifications`). */

/** What a notification is about; each has a default set of channels and a priority. */
export const NOTIFICATION_KINDS = [
  'friend.ride.started',
  'friend.ride.completed',
  'session.summary.ready',
  'workout.assigned',
  'follow.requested',
  'integration.sync.failed',
  'gear.service.due',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];
export const NotificationKindSchema = Type.Union(
  NOTIFICATION_KINDS.map((k) => Type.Literal(k)),
  { description: 'what the notification is about' },
);

export const NOTIFICATION_CHANNELS = ['live', 'email', 'webhook'] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];
export const NotificationChannelSchema = Type.Union(
  NOTIFICATION_CHANNELS.map((c) => Type.Literal(c)),
  { description: 'live: the open app (WebSocket); email; webhook: the endpoints the user registered' },
);

const Timestamp = Type.String({ format: 'date-time' });
const NullableTimestamp = Type.Union([Timestamp, Type.Null()]);

const ChannelSwitches = Type.Object(
  {
    live: Type.Boolean(),
    email: Type.Boolean(),
    webhook: Type.Boolean(),
  },
  { additionalProperties: false, description: 'a channel switched off receives no kind at all' },
);

const KindOverride = Type.Object(
  {
    live: Type.Optional(Type.Boolean()),
    email: Type.Optional(Type.Boolean()),
    webhook: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, description: "per channel: true/false overrides the kind's default; absent keeps it" },
);

const KindOverrides = Type.Object(
  {
    'friend.ride.started': Type.Optional(KindOverride),
    'friend.ride.completed': Type.Optional(KindOverride),
    'session.summary.ready': Type.Optional(KindOverride),
    'workout.assigned': Type.Optional(KindOverride),
    'follow.requested': Type.Optional(KindOverride),
    'integration.sync.failed': Type.Optional(KindOverride),
    'gear.service.due': Type.Optional(KindOverride),
  },
  { additionalProperties: false },
);

/** `HH:MM`, 24 h. */
const ClockTime = Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', description: 'local time, HH:MM (24 h)' });

const QuietHours = Type.Union(
  [
    Type.Object(
      { start: ClockTime, end: ClockTime },
      {
        additionalProperties: false,
        description:
          "in the user's time zone; may span midnight (22:00–07:00). E-mails and webhooks wait until the end; live notifications are not held",
      },
    ),
    Type.Null(),
  ],
  { description: 'null: no quiet hours' },
);

export const DIGEST_PERIODS = ['off', 'hourly', 'daily'] as const;
const Digest = Type.Union(
  DIGEST_PERIODS.map((d) => Type.Literal(d)),
  {
    description:
      'e-mails of low-priority kinds (friend.ride.started, session.summary.ready) collected into one message per period; off: one e-mail each',
  },
);

/** `PUT /v1/users/{userId}/preferences` (optionally with `If-Match`): the whole settings document. */
export const PreferencesUpdate = Type.Object(
  {
    channels: ChannelSwitches,
    kinds: KindOverrides,
    quietHours: QuietHours,
    digest: Digest,
  },
  { $id: 'wattstream/notifications/PreferencesUpdate', additionalProperties: false },
);
export type PreferencesUpdate = Static<typeof PreferencesUpdate>;

export const Preferences = Type.Object(
  {
    userId: Id('user'),
    channels: ChannelSwitches,
    kinds: KindOverrides,
    quietHours: QuietHours,
    digest: Digest,
    version: Type.Integer({ minimum: 0, description: '0 until first saved; the ETag is "v<version>"' }),
    updatedAt: NullableTimestamp,
  },
  { $id: 'wattstream/notifications/Preferences', additionalProperties: false },
);
export type Preferences = Static<typeof Preferences>;

/** `POST /v1/users/{userId}/webhooks`. */
export const WebhookEndpointCreate = Type.Object(
  {
    url: Type.String({
      minLength: 8,
      maxLength: 2048,
      pattern: '^https?://',
      description: 'http or https URL each delivery is POSTed to',
    }),
    description: Type.Optional(Type.String({ maxLength: 200 })),
    kinds: Type.Optional(
      Type.Array(NotificationKindSchema, {
        minItems: 1,
        maxItems: NOTIFICATION_KINDS.length,
        uniqueItems: true,
        description: 'only these kinds (default: every kind)',
      }),
    ),
  },
  { $id: 'wattstream/notifications/WebhookEndpointCreate', additionalProperties: false },
);
export type WebhookEndpointCreate = Static<typeof WebhookEndpointCreate>;

export const WebhookEndpoint = Type.Object(
  {
    id: Uuid('endpoint'),
    url: Type.String(),
    description: Type.Union([Type.String(), Type.Null()]),
    kinds: Type.Union([Type.Array(NotificationKindSchema), Type.Null()], { description: 'null: every kind' }),
    enabled: Type.Boolean({ description: 'false once it failed too often in a row; POST …/enable turns it on' }),
    consecutiveFailures: Type.Integer({ minimum: 0 }),
    disabledReason: Type.Union([Type.String(), Type.Null()]),
    createdAt: Timestamp,
    lastSuccessAt: NullableTimestamp,
    lastFailureAt: NullableTimestamp,
  },
  { $id: 'wattstream/notifications/WebhookEndpoint', additionalProperties: false },
);
export type WebhookEndpoint = Static<typeof WebhookEndpoint>;

export const WebhookEndpointCreated = Type.Object(
  {
    ...WebhookEndpoint.properties,
    secret: Type.String({
      description: 'signing secret (`whsec_…`), shown only in this answer: keep it to verify Wattstream-Signature',
    }),
  },
  { $id: 'wattstream/notifications/WebhookEndpointCreated', additionalProperties: false },
);
export type WebhookEndpointCreated = Static<typeof WebhookEndpointCreated>;

export const WebhookEndpointList = Type.Object(
  { items: Type.Array(WebhookEndpoint) },
  { $id: 'wattstream/notifications/WebhookEndpointList', additionalProperties: false },
);

export const DELIVERY_STATES = ['pending', 'sending', 'sent', 'failed', 'cancelled'] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

const Delivery = Type.Object(
  {
    channel: NotificationChannelSchema,
    endpointId: Type.Union([Uuid('webhook endpoint'), Type.Null()]),
    state: Type.Union(DELIVERY_STATES.map((s) => Type.Literal(s))),
    attempts: Type.Integer({ minimum: 0 }),
    digest: Type.Boolean({ description: 'sent in the next digest e-mail' }),
    nextAttemptAt: NullableTimestamp,
    sentAt: NullableTimestamp,
    lastError: Type.Union([Type.String(), Type.Null()]),
  },
  { additionalProperties: false },
);

export const Notification = Type.Object(
  {
    id: Type.String(),
    kind: NotificationKindSchema,
    title: Type.String(),
    body: Type.String(),
    locale: Type.String(),
    link: Type.Union([Type.String(), Type.Null()]),
    createdAt: Timestamp,
    deliveries: Type.Array(Delivery, { description: 'e-mail and webhook deliveries (live ones go out at once)' }),
  },
  { $id: 'wattstream/notifications/Notification', additionalProperties: false },
);
export type Notification = Static<typeof Notification>;

export const NotificationPage = Type.Object(
  {
    items: Type.Array(Notification),
    nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'pass as `cursor` for the next page' }),
  },
  { $id: 'wattstream/notifications/NotificationPage', additionalProperties: false },
);
export type NotificationPage = Static<typeof NotificationPage>;

/**
 * The JSON body of every webhook delivery. Headers: `Wattstream-Id` (= `id`, the same on every
 * retry: receivers de-duplicate by it), `Wattstream-Timestamp` (Unix seconds) and
 * `Wattstream-Signature: t=<timestamp>,v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`.
 */
export const WebhookPayload = Type.Object(
  {
    id: Type.String({ description: 'delivery id' }),
    type: NotificationKindSchema,
    notificationId: Type.String(),
    userId: Id('recipient'),
    createdAt: Timestamp,
    title: Type.String(),
    body: Type.String(),
    locale: Type.String(),
    link: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'wattstream/notifications/WebhookPayload', additionalProperties: false },
);
export type WebhookPayload = Static<typeof WebhookPayload>;
