import type { TokenResponse } from '@wattstream/contracts';
import type { Queryable } from '@wattstream/kernel';
import type { KeyRing } from './keys.js';
import { issueRefreshToken } from './store/refresh-tokens.js';
import type { UserRow } from './store/users.js';

export interface SessionSettings {
  keys: KeyRing;
  issuer: string;
  audience: string;
  accessTtlMs: number;
  refreshTtlMs: number;
}

/**
 * A signed-in session: an access token (EdDSA JWT: `sub`, `roles`, `sid` = the refresh family)
 * and a refresh token in the family (a new family when none is given: a new login).
 */
export async function issueSession(
  db: Queryable,
  s: SessionSettings,
  user: Pick<UserRow, 'id' | 'roles'>,
  family?: string,
): Promise<TokenResponse> {
  const refresh = await issueRefreshToken(db, user.id, s.refreshTtlMs, family);
  const { token } = await s.keys.sign({
    subject: user.id,
    audience: s.audience,
    issuer: s.issuer,
    ttlMs: s.accessTtlMs,
    claims: { roles: user.roles, sid: refresh.family },
  });
  return {
    accessToken: token,
    tokenType: 'Bearer',
    expiresIn: Math.round(s.accessTtlMs / 1000),
    refreshToken: refresh.token,
    refreshExpiresIn: Math.round(s.refreshTtlMs / 1000),
  };
}
