import { randomUUID } from 'node:crypto';
import type { Comment } from '@wattstream/contracts';
import { decodeCursor, keysetPage, type Queryable } from '@wattstream/kernel';
import { WattstreamError } from '@wattstream/platform';
import { SocialErrorCode } from '../errors.js';
import { iso } from './time.js';

interface CommentRow {
  id: string;
  activity_id: string;
  author_id: string;
  body: string;
  created_at: string;
}

const commentOf = (r: CommentRow): Comment => ({
  id: r.id,
  activityId: r.activity_id,
  authorId: r.author_id,
  body: r.body,
  createdAt: iso(r.created_at),
});

/**
 * Posts a comment unless its author already posted `rate` in the last `windowMs` (429 with the
 * seconds until the oldest leaves the window). The author's advisory lock makes the count exact
 * across replicas.
 */
export async function postComment(
  tx: Queryable,
  c: { activityId: string; authorId: string; body: string },
  limit: { rate: number; windowMs: number },
): Promise<Comment> {
  await tx.query("SELECT pg_advisory_xact_lock(hashtext('social.comment:' || $1))", [c.authorId]);
  const now = Date.now();
  const { rows } = await tx.query<{ n: number; oldest: string | null }>(
    'SELECT count(*)::int AS n, min(created_at) AS oldest FROM comments WHERE author_id = $1 AND created_at > $2',
    [c.authorId, now - limit.windowMs],
  );
  const recent = rows[0]!;
  if (recent.n >= limit.rate) {
    const retryAfterS = Math.max(1, Math.ceil((Number(recent.oldest) + limit.windowMs - now) / 1000));
    throw new WattstreamError(
      SocialErrorCode.RateLimited,
      `at most ${limit.rate} comments per ${limit.windowMs / 1000} s; try again in ${retryAfterS} s`,
      { statusCode: 429, details: { retryAfterS } },
    );
  }
  const inserted = await tx.query<CommentRow>(
    'INSERT INTO comments (id, activity_id, author_id, body, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING *',
    [randomUUID(), c.activityId, c.authorId, c.body, now],
  );
  return commentOf(inserted.rows[0]!);
}

export async function commentById(db: Queryable, id: string): Promise<Comment | undefined> {
  const { rows } = await db.query<CommentRow>('SELECT * FROM comments WHERE id = $1', [id]);
  return rows[0] && commentOf(rows[0]);
}

export async function deleteComment(db: Queryable, id: string): Promise<void> {
  await db.query('DELETE FROM comments WHERE id = $1', [id]);
}

/** An activity's comments, newest first. */
export async function commentsOf(db: Queryable, activityId: string, limit: number, cursor: string | undefined) {
  const pos = cursor ? decodeCursor(cursor) : undefined;
  const { rows } = await db.query<CommentRow>(
    `SELECT * FROM comments WHERE activity_id = $1 ${pos ? 'AND (created_at, id::text) < ($3::bigint, $4)' : ''}
     ORDER BY created_at DESC, id::text DESC LIMIT $2`,
    pos ? [activityId, limit + 1, pos.at, pos.id] : [activityId, limit + 1],
  );
  return keysetPage(rows, limit, (r) => ({ at: r.created_at, id: r.id }), commentOf);
}
