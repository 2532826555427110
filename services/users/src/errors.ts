/** Codes raised by the users service, listed in docs/errors.md. */
export const UsersErrorCode = {
  EmailTaken: 'WS_USERS_EMAIL_TAKEN',
  /** Wrong e-mail or wrong password: one code for both, so the answer never tells which. */
  InvalidCredentials: 'WS_USERS_INVALID_CREDENTIALS',
  WeakPassword: 'WS_USERS_WEAK_PASSWORD',
  RefreshInvalid: 'WS_USERS_REFRESH_INVALID',
  KeySecretInvalid: 'WS_USERS_KEY_SECRET_INVALID',
  KeySecretMismatch: 'WS_USERS_KEY_SECRET_MISMATCH',
  ProfileInvalid: 'WS_USERS_PROFILE_INVALID',
  InvitationInvalid: 'WS_USERS_INVITATION_INVALID',
  EdgeLimit: 'WS_USERS_EDGE_LIMIT',
  /** A time zone that is not an IANA zone name the runtime knows (e.g. `Mars/Olympus`, `+03:00`). */
  TimeZoneInvalid: 'WS_USERS_TIME_ZONE_INVALID',
} as const;
