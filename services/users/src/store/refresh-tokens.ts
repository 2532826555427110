import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Queryable } from '@wattstream/kernel';
import { WattstreamError } from '@wattstream/platform';
import { UsersErrorCode } from '../errors.js';

const digest = (token: string): Buffer => createHash('sha256').update(token).digest();

export const refreshInvalid = () =>
  new WattstreamError(UsersErrorCode.RefreshInvalid, 'refresh token invalid, expired or already used: log in again', {
    statusCode: 401,
  });

/** Issues a refresh token in `family` (a new family: a new login). Only its hash is stored. */
export async function issueRefreshToken(
  db: Queryable,
  userId: string,
  ttlMs: number,
  family: string = randomUUID(),
): Promise<{ token: string; family: string }> {
  const token = randomBytes(32).toString('base64url');
  await db.query(
    `INSERT INTO refresh_tokens (token_hash, user_id, family, expires_at)
     VALUES ($1, $2, $3, now() + $4::interval)`,
    [digest(token), userId, family, `${Math.round(ttlMs / 1000)} seconds`],
  );
  return { token, family };
}

export type RefreshUse = { ok: true; userId: string; family: string } | { ok: false; reusedFamily?: string };

/**
 * Uses a refresh token: marks it used and returns its user and family (the caller issues the next
 * token in that family). A token presented a second time was copied: the caller revokes the whole
 * `reusedFamily` (outside the failing transaction), so the thief and the owner both have to log in
 * again (OAuth 2.0 Security BCP, refresh token rotation).
 */
export async function useRefreshToken(tx: Queryable, token: string): Promise<RefreshUse> {
  const { rows } = await tx.query<{ user_id: string; family: string; used: boolean; dead: boolean }>(
    `SELECT user_id, family, used_at IS NOT NULL AS used, (revoked_at IS NOT NULL OR expires_at < now()) AS dead
     FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE`,
    [digest(token)],
  );
  const row = rows[0];
  if (!row || row.dead) return { ok: false };
  if (row.used) return { ok: false, reusedFamily: row.family };
  await tx.query('UPDATE refresh_tokens SET used_at = now() WHERE token_hash = $1', [digest(token)]);
  return { ok: true, userId: row.user_id, family: row.family };
}

export async function revokeFamily(db: Queryable, family: string): Promise<void> {
  await db.query('UPDATE refresh_tokens SET revoked_at = now() WHERE family = $1 AND revoked_at IS NULL', [family]);
}

/** Logout: revokes the family of `token`; unknown tokens are ignored (logout is idempotent). */
export async function revokeByToken(db: Queryable, token: string): Promise<void> {
  await db.query(
    `UPDATE refresh_tokens SET revoked_at = now()
     WHERE family = (SELECT family FROM refresh_tokens WHERE token_hash = $1) AND revoked_at IS NULL`,
    [digest(token)],
  );
}
