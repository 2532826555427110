import { randomBytes } from 'node:crypto';
import type { Me, Role } from '@wattstream/contracts';
import type { Queryable } from '@wattstream/kernel';
import { WattstreamError } from '@wattstream/platform';
import { UsersErrorCode } from '../errors.js';

export interface UserRow {
  id: string;
  email: string;
  password_hash: string;
  display_name: string;
  roles: Role[];
  created_at: Date;
}

/** A new user id: `u` + 20 random base64url characters (an id of contract v1, 1–64 of [A-Za-z0-9_-]). */
export const newUserId = (): string => `u${randomBytes(15).toString('base64url')}`;

export async function insertUser(
  db: Queryable,
  u: { id: string; email: string; passwordHash: string; displayName: string; roles: Role[] },
): Promise<UserRow> {
  try {
    const { rows } = await db.query<UserRow>(
      `INSERT INTO users (id, email, password_hash, display_name, roles) VALUES ($1, $2, $3, $4, $5)
       RETURNING *`,
      [u.id, u.email, u.passwordHash, u.displayName, u.roles],
    );
    return rows[0]!;
  } catch (err) {
    if ((err as { code?: string }).code === '23505') {
      throw new WattstreamError(
        UsersErrorCode.EmailTaken,
        'an account with this e-mail address exists: log in instead',
        {
          statusCode: 409,
          details: { fields: [{ field: 'body.email', message: 'already registered' }] },
        },
      );
    }
    throw err;
  }
}

export async function userByEmail(db: Queryable, email: string): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>('SELECT * FROM users WHERE lower(email) = lower($1)', [email]);
  return rows[0];
}

export async function userById(db: Queryable, id: string): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>('SELECT * FROM users WHERE id = $1', [id]);
  return rows[0];
}

export async function deleteUser(db: Queryable, id: string): Promise<boolean> {
  const r = await db.query('DELETE FROM users WHERE id = $1', [id]);
  return (r.rowCount ?? 0) > 0;
}

export async function addRole(db: Queryable, id: string, role: Role): Promise<UserRow | undefined> {
  const { rows } = await db.query<UserRow>(
    `UPDATE users SET roles = array(SELECT DISTINCT unnest(roles || ARRAY[$2]::text[])) WHERE id = $1 RETURNING *`,
    [id, role],
  );
  return rows[0];
}

export function meOf(u: UserRow): Me {
  return {
    id: u.id,
    email: u.email,
    displayName: u.display_name,
    roles: u.roles,
    createdAt: u.created_at.toISOString(),
  };
}
