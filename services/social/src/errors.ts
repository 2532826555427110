/** Codes raised by the social service, listed in docs/errors.md. */
export const SocialErrorCode = {
  /** A user tried to follow themselves. */
  SelfFollow: 'WS_SOCIAL_SELF_FOLLOW',
  /** Too many comments in the rate window (SOCIAL_COMMENT_RATE); retry after `Retry-After`. */
  RateLimited: 'WS_SOCIAL_RATE_LIMITED',
  /** A group ride already has MAX_GROUP_MEMBERS members and invitations. */
  GroupFull: 'WS_SOCIAL_GROUP_FULL',
} as const;
export type SocialErrorCode = (typeof SocialErrorCode)[keyof typeof SocialErrorCode];
