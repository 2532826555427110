import { LIVE_ROLES, type LiveRole } from '@wattstream/contracts';
import { signToken, TOKEN_AUDIENCE, type TokenKeys, verifyToken, WattstreamError } from '@wattstream/platform';
import { StreamErrorCode } from './errors.js';

/** Claims of a live user token. */
export interface UserClaims {
  sub: string;
  roles: LiveRole[];
  watch: string[];
  exp: number;
}

export async function mintUserToken(
  keys: TokenKeys,
  opts: { user: string; roles?: LiveRole[]; watch?: string[]; ttlMs?: number },
): Promise<string> {
  return signToken(keys, {
    subject: opts.user,
    audience: TOKEN_AUDIENCE.user,
    ttlMs: opts.ttlMs ?? 12 * 3_600_000,
    claims: { roles: opts.roles ?? ['athlete'], watch: opts.watch ?? [] },
  });
}

/** Verifies a user token and reads its claims (unknown roles are ignored). */
export async function verifyUserToken(keys: TokenKeys, token: string | undefined): Promise<UserClaims> {
  const payload = await verifyToken(keys, token, TOKEN_AUDIENCE.user);
  const roles = Array.isArray(payload.roles)
    ? (payload.roles.filter((r) => (LIVE_ROLES as readonly unknown[]).includes(r)) as LiveRole[])
    : [];
  const watch = Array.isArray(payload.watch) ? payload.watch.filter((w): w is string => typeof w === 'string') : [];
  if (typeof payload.sub !== 'string' || payload.sub === '') {
    throw new WattstreamError('WS_AUTH_TOKEN_INVALID', 'token has no subject', { statusCode: 401 });
  }
  return { sub: payload.sub, roles, watch, exp: payload.exp };
}

export const isStaff = (c: UserClaims) => c.roles.includes('coach') || c.roles.includes('admin');

export { StreamErrorCode };
