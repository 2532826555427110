import { type Static, Type } from '@sinclair/typebox';
import { EpochMs, Id } from '../ids.js';

/** Value of a `user.account.deleted` record (key = userId): every service forgets this user. */
export const AccountDeleted = Type.Object(
  {
    userId: Id('user'),
    deletedAt: EpochMs('when the account was deleted'),
  },
  {
    $id: 'wattstream/v1/AccountDeleted',
    additionalProperties: false,
    description: "A user deleted their account (GDPR erasure): services remove the user's data they keep.",
  },
);
export type AccountDeleted = Static<typeof AccountDeleted>;

/** Value of a `user.coach.link.updated` record (key = athleteId): a coach ↔ athlete link began or ended. */
export const CoachLinkUpdated = Type.Object(
  {
    athleteId: Id('athlete'),
    coachId: Id('coach'),
    active: Type.Boolean({ description: 'true: the coach now coaches the athlete; false: the link ended' }),
    updatedAt: EpochMs('when the link changed'),
  },
  {
    $id: 'wattstream/v1/CoachLinkUpdated',
    additionalProperties: false,
    description: 'Who coaches whom: services that authorise coaches keep a projection of these.',
  },
);
export type CoachLinkUpdated = Static<typeof CoachLinkUpdated>;

/** Value of a `user.edge.updated` record (key = edgeId): an edge was registered, re-credentialed or revoked. */
export const EdgeUpdated = Type.Object(
  {
    edgeId: Id('edge'),
    ownerId: Id('athlete who owns the edge'),
    athletes: Type.Array(Id('athlete'), { maxItems: 64, description: 'athletes the edge may publish for' }),
    revoked: Type.Boolean({ description: 'true: refuse this edge from now on' }),
    credentialId: Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()], {
      description:
        "the `jti` of the edge's one valid credential; a re-mint replaces it, so older credentials are refused",
    }),
    updatedAt: EpochMs('when the edge changed'),
  },
  {
    $id: 'wattstream/v1/EdgeUpdated',
    additionalProperties: false,
    description: "An athlete's edge (the MQTT client of their sensors) and whether its credential is still good.",
  },
);
export type EdgeUpdated = Static<typeof EdgeUpdated>;

/** A locale tag: a language, optionally with a region (`en`, `ru`, `pt-BR`). */
export const LOCALE_PATTERN_SOURCE = '^[a-z]{2}(-[A-Z]{2})?$';
/** An IANA time zone name as `Intl` resolves it (`UTC`, `Europe/Moscow`, `America/Argentina/Buenos_Aires`). */
export const TIME_ZONE_PATTERN_SOURCE = '^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+){0,2}$';

/**
 * Value of a `user.contact.updated` record (key = userId, compacted: the latest per user wins; a
 * tombstone when the account is erased): how and in which language to reach a user. Notifications
 * keeps a projection of it to address e-mails, pick templates and apply quiet hours.
 */
export const ContactUpdated = Type.Object(
  {
    userId: Id('user'),
    email: Type.String({ minLength: 3, maxLength: 254, description: 'the login e-mail address' }),
    displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 80, description: 'name shown to others' })),
    locale: Type.String({ pattern: LOCALE_PATTERN_SOURCE, description: 'preferred language, e.g. en or ru' }),
    timeZone: Type.String({
      pattern: TIME_ZONE_PATTERN_SOURCE,
      maxLength: 64,
      description: 'IANA time zone, e.g. Europe/Moscow (quiet hours and digests are in it)',
    }),
    updatedAt: EpochMs('when the contact details changed'),
  },
  {
    $id: 'wattstream/v1/ContactUpdated',
    additionalProperties: false,
    description: "A user's contact details: e-mail, name, locale and time zone.",
  },
);
export type ContactUpdated = Static<typeof ContactUpdated>;
