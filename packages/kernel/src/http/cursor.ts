import { WattstreamError } from '@wattstream/platform';

/**
 * Opaque keyset cursors for list endpoints ordered by (a number, an id), newest first: the client
 * passes back what the last page gave out and the next query starts strictly after it.
 */
export interface KeysetPosition {
  /** the ordering number (epoch ms, a sequence), as text so bigint columns round-trip */
  at: string;
  id: string;
}

export function encodeCursor(at: number | string, id: string): string {
  return Buffer.from(`${at}|${id}`).toString('base64url');
}

/** The position in `cursor`, or a 400 naming `querystring.cursor` when it is not one we gave out. */
export function decodeCursor(cursor: string): KeysetPosition {
  const m = /^(\d{1,16})\|(.{1,200})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!m) {
    throw new WattstreamError('WS_HTTP_VALIDATION', 'cursor is not one this API gave out', {
      statusCode: 400,
      details: { fields: [{ field: 'querystring.cursor', message: 'unknown cursor' }] },
    });
  }
  return { at: m[1]!, id: m[2]! };
}

/** One page of `rows` fetched with `LIMIT limit + 1`: the items and the cursor of the next page. */
export function keysetPage<R, T>(
  rows: R[],
  limit: number,
  position: (row: R) => KeysetPosition,
  toItem: (row: R) => T,
): { items: T[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const next = rows.length > limit && last !== undefined ? position(last) : undefined;
  return { items: page.map(toItem), nextCursor: next ? encodeCursor(next.at, next.id) : null };
}
