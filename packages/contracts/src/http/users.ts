import { type Static, Type } from '@sinclair/typebox';
import { HrZoneBounds, PowerZoneBounds, Units } from '../events/profile.js';
import { LOCALE_PATTERN_SOURCE, TIME_ZONE_PATTERN_SOURCE } from '../events/users.js';
import { Id } from '../ids.js';

/** REST shapes of the users service (`/v1/...`, exposed by the gateway under `/users`). */

export const ROLES = ['athlete', 'coach', 'admin'] as const;
export type Role = (typeof ROLES)[number];
export const Role = Type.Union(
  ROLES.map((r) => Type.Literal(r)),
  { description: 'athlete: rides; coach: sees and plans for linked athletes; admin: operates the platform' },
);

const Email = Type.String({ format: 'email', minLength: 3, maxLength: 254, description: 'login e-mail address' });
/** Long enough to resist guessing, short enough that hashing it cannot be used to burn CPU. */
export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 128;
const Password = Type.String({
  minLength: PASSWORD_MIN,
  maxLength: PASSWORD_MAX,
  description: 'the password, in full',
});
const DisplayName = Type.String({ minLength: 1, maxLength: 80, description: 'name shown to others' });
const Timestamp = Type.String({ format: 'date-time' });

export const RegisterRequest = Type.Object(
  {
    email: Email,
    password: Password,
    displayName: DisplayName,
    accountType: Type.Optional(
      Type.Union([Type.Literal('athlete'), Type.Literal('coach')], {
        description: 'athlete (default) or coach; admin is granted by an operator, never at sign-up',
      }),
    ),
  },
  { $id: 'wattstream/users/RegisterRequest', additionalProperties: false },
);
export type RegisterRequest = Static<typeof RegisterRequest>;

export const LoginRequest = Type.Object(
  { email: Email, password: Type.String({ minLength: 1, maxLength: PASSWORD_MAX }) },
  { $id: 'wattstream/users/LoginRequest', additionalProperties: false },
);
export type LoginRequest = Static<typeof LoginRequest>;

export const RefreshRequest = Type.Object(
  { refreshToken: Type.String({ minLength: 20, maxLength: 200 }) },
  { $id: 'wattstream/users/RefreshRequest', additionalProperties: false },
);
export type RefreshRequest = Static<typeof RefreshRequest>;

export const TokenResponse = Type.Object(
  {
    accessToken: Type.String({ description: 'EdDSA JWT for `Authorization: Bearer`' }),
    tokenType: Type.Literal('Bearer'),
    expiresIn: Type.Integer({ description: 'seconds the access token is valid' }),
    refreshToken: Type.String({ description: 'single-use; exchange it at /v1/auth/refresh for a new pair' }),
    refreshExpiresIn: Type.Integer({ description: 'seconds the refresh token is valid' }),
  },
  { $id: 'wattstream/users/TokenResponse', additionalProperties: false },
);
export type TokenResponse = Static<typeof TokenResponse>;

export const Me = Type.Object(
  {
    id: Id('user (and athlete) id'),
    email: Email,
    displayName: DisplayName,
    roles: Type.Array(Role),
    locale: Type.String({ pattern: LOCALE_PATTERN_SOURCE, description: 'language of e-mails and notifications' }),
    timeZone: Type.String({ pattern: TIME_ZONE_PATTERN_SOURCE, maxLength: 64, description: 'IANA time zone' }),
    createdAt: Timestamp,
  },
  { $id: 'wattstream/users/Me', additionalProperties: false },
);
export type Me = Static<typeof Me>;

/** `PATCH /v1/me`: the account settings to change (at least one). */
export const AccountUpdate = Type.Object(
  {
    displayName: Type.Optional(DisplayName),
    locale: Type.Optional(Me.properties.locale),
    timeZone: Type.Optional(Me.properties.timeZone),
  },
  { $id: 'wattstream/users/AccountUpdate', additionalProperties: false, minProperties: 1 },
);
export type AccountUpdate = Static<typeof AccountUpdate>;

/** The athlete's training profile as the API shows it. */
export const Profile = Type.Object(
  {
    athleteId: Id('athlete'),
    ftp: Type.Integer({ minimum: 50, maximum: 2000, description: 'functional threshold power, W' }),
    cp: Type.Integer({ minimum: 50, maximum: 2000, description: 'critical power, W' }),
    wPrime: Type.Integer({ minimum: 1000, maximum: 100_000, description: "W', J" }),
    maxHr: Type.Integer({ minimum: 100, maximum: 250, description: 'maximum heart rate, bpm' }),
    lthr: Type.Integer({ minimum: 80, maximum: 240, description: 'lactate threshold heart rate, bpm' }),
    weightKg: Type.Number({ minimum: 20, maximum: 250, description: 'body weight, kg' }),
    powerZoneBounds: PowerZoneBounds,
    hrZoneBounds: HrZoneBounds,
    units: Units,
    version: Type.Integer({ minimum: 1, description: 'increases with every change; the ETag is "v<version>"' }),
    updatedAt: Timestamp,
  },
  { $id: 'wattstream/users/Profile', additionalProperties: false },
);
export type Profile = Static<typeof Profile>;

/** `PUT /v1/me/profile` (with `If-Match`): the whole profile, every field. */
export const ProfileUpdate = Type.Object(
  {
    ftp: Profile.properties.ftp,
    cp: Profile.properties.cp,
    wPrime: Profile.properties.wPrime,
    maxHr: Profile.properties.maxHr,
    lthr: Profile.properties.lthr,
    weightKg: Profile.properties.weightKg,
    powerZoneBounds: PowerZoneBounds,
    hrZoneBounds: HrZoneBounds,
    units: Units,
  },
  { $id: 'wattstream/users/ProfileUpdate', additionalProperties: false },
);
export type ProfileUpdate = Static<typeof ProfileUpdate>;

export const CoachInvitationRequest = Type.Object(
  { coachEmail: Email },
  { $id: 'wattstream/users/CoachInvitationRequest', additionalProperties: false },
);

export const CoachInvitation = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    athleteId: Id('athlete'),
    athleteName: DisplayName,
    coachEmail: Email,
    status: Type.Union([
      Type.Literal('pending'),
      Type.Literal('accepted'),
      Type.Literal('declined'),
      Type.Literal('cancelled'),
    ]),
    createdAt: Timestamp,
  },
  { $id: 'wattstream/users/CoachInvitation', additionalProperties: false },
);
export type CoachInvitation = Static<typeof CoachInvitation>;

export const Person = Type.Object(
  { id: Id('user'), displayName: DisplayName, since: Timestamp },
  { $id: 'wattstream/users/Person', additionalProperties: false },
);

const SensorPairing = Type.Object(
  {
    sensorId: Type.String({
      minLength: 1,
      maxLength: 80,
      pattern: '^[A-Za-z0-9:_.-]+$',
      description: 'e.g. ble:aa:bb:… or ant:120:12345',
    }),
    kind: Type.Union(
      ['heart-rate', 'power', 'speed-cadence', 'trainer', 'stride'].map((k) => Type.Literal(k)),
      { description: 'what the sensor measures' },
    ),
    name: Type.Optional(Type.String({ maxLength: 80 })),
  },
  { additionalProperties: false },
);

export const EdgeRequest = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 80, description: 'e.g. "garage laptop"' }) },
  { $id: 'wattstream/users/EdgeRequest', additionalProperties: false },
);

export const Edge = Type.Object(
  {
    edgeId: Id('edge (its MQTT username)'),
    name: Type.String(),
    sensors: Type.Array(SensorPairing, { maxItems: 64 }),
    createdAt: Timestamp,
    revokedAt: Type.Union([Timestamp, Type.Null()]),
    credentialExpiresAt: Type.Union([Timestamp, Type.Null()]),
  },
  { $id: 'wattstream/users/Edge', additionalProperties: false },
);
export type Edge = Static<typeof Edge>;

export const EdgeCredential = Type.Object(
  {
    edgeId: Id('edge'),
    username: Id('the MQTT username: the edge id'),
    password: Type.String({ description: 'the MQTT password: a signed edge credential (JWT); shown once' }),
    expiresAt: Timestamp,
  },
  { $id: 'wattstream/users/EdgeCredential', additionalProperties: false },
);
export type EdgeCredential = Static<typeof EdgeCredential>;

export const SensorPairings = Type.Object(
  { sensors: Type.Array(SensorPairing, { maxItems: 64 }) },
  { $id: 'wattstream/users/SensorPairings', additionalProperties: false },
);
export type SensorPairings = Static<typeof SensorPairings>;

export const DeleteAccountRequest = Type.Object(
  { password: Type.String({ minLength: 1, maxLength: PASSWORD_MAX, description: 'confirms it is really you' }) },
  { $id: 'wattstream/users/DeleteAccountRequest', additionalProperties: false },
);
