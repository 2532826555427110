import type { Logger } from '@wattstream/platform';
import pg from 'pg';
import { isWattstreamError, KernelErrorCode, kernelError } from '../errors.js';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;
/** What a query needs: the pool, or a client inside a transaction. */
export type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

/**
 * Server error classes that mean "the database is not usable right now" rather than "this query is
 * wrong": 08 connection exceptions, 57P01–57P03 (shutdown, cannot connect now), 53300 too many
 * connections. https://www.postgresql.org/docs/15/errcodes-appendix.html
 */
const UNAVAILABLE_SQLSTATE = /^(08|57P0[1-3]|53300)/;
const UNAVAILABLE_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);

export function isDbUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  if (typeof e?.code === 'string' && (UNAVAILABLE_SQLSTATE.test(e.code) || UNAVAILABLE_ERRNO.has(e.code))) return true;
  const msg = typeof e?.message === 'string' ? e.message : '';
  return /Connection terminated|timeout exceeded when trying to connect|connection is closed|Client has encountered a connection error/i.test(
    msg,
  );
}

/** The coded 503 for an unusable database: the client may retry after a second. */
export function dbUnavailable(cause: unknown): Error {
  return kernelError(KernelErrorCode.DbUnavailable, 'the database is not reachable right now; try again shortly', {
    statusCode: 503,
    cause,
    details: { retryAfterS: 1 },
  });
}

export interface PoolOptions {
  url: string;
  max: number;
  application: string;
  logger: Logger;
  /** Per-statement timeout, ms; a runaway query is cancelled by the server. */
  statementTimeoutMs: number;
}

/**
 * A pg pool that survives the database going away: idle clients that break are logged (pg emits
 * them as 'error' events, which would otherwise crash the process) and replaced on the next query;
 * connecting gives up after 2 s so a request fails fast with 503 instead of hanging.
 */
export function createPool(o: PoolOptions): Pool {
  const pool = new pg.Pool({
    connectionString: o.url,
    max: o.max,
    application_name: o.application,
    connectionTimeoutMillis: 2000,
    idleTimeoutMillis: 30_000,
    statement_timeout: o.statementTimeoutMs,
    query_timeout: o.statementTimeoutMs + 1000,
    keepAlive: true,
  });
  let lastLogged = 0;
  pool.on('error', (err) => {
    if (Date.now() - lastLogged < 5000) return;
    lastLogged = Date.now();
    o.logger.warn({ err: err.message, code: KernelErrorCode.DbUnavailable }, 'idle database connection failed');
  });
  return pool;
}

/** Runs `fn` in one transaction; rolls back when it throws. Connection failures become 503s. */
export async function withTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  let client: PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    throw dbUnavailable(err);
  }
  let broken = false;
  // A checked-out client has no pool listener: a connection that dies between two queries would
  // emit an unhandled 'error' and end the process. The failure reaches the next query instead.
  const onError = () => {
    broken = true;
  };
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    broken ||= isDbUnavailable(err);
    if (!broken) await client.query('ROLLBACK').catch(() => {});
    throw broken && !isWattstreamError(err) ? dbUnavailable(err) : err;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}

/** Readiness: a trivial query answered within the check's time. */
export async function pingDb(pool: Pool): Promise<true | string> {
  try {
    await pool.query('SELECT 1');
    return true;
  } catch (err) {
    return `database unreachable: ${(err as Error).message}`;
  }
}
