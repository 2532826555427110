import { PlatformErrorCode, WattstreamError } from './errors.js';

export interface QuestDbResult {
  columns: { name: string; type: string }[];
  dataset: unknown[][];
  count: number;
}

/** Runs one SQL statement over QuestDB's HTTP `/exec` endpoint. */
export async function questdbExec(httpUrl: string, sql: string, { timeoutMs = 30_000 } = {}): Promise<QuestDbResult> {
  const u = new URL('/exec', httpUrl);
  u.searchParams.set('query', sql);
  let res: Response;
  try {
    res = await fetch(u, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new WattstreamError(
      PlatformErrorCode.QuestDbUnavailable,
      `QuestDB is not reachable at ${httpUrl}: ${(err as Error).message}. Is it running and is QUESTDB_HTTP right?`,
      { cause: err },
    );
  }
  const body = (await res.json().catch(() => ({}))) as Partial<QuestDbResult> & { error?: string; ddl?: string };
  if (!res.ok || body.error) {
    throw new WattstreamError(PlatformErrorCode.QuestDbSql, `QuestDB rejected SQL: ${body.error ?? res.statusText}`, {
      details: { sql },
    });
  }
  return { columns: body.columns ?? [], dataset: body.dataset ?? [], count: body.count ?? 0 };
}

/** `GET /ping` answers 204 once QuestDB serves HTTP. */
export async function questdbPing(httpUrl: string, timeoutMs = 2000): Promise<boolean> {
  try {
    const res = await fetch(new URL('/ping', httpUrl), { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer();
    return res.status === 204;
  } catch {
    return false;
  }
}

/**
 * Waits until a WAL table has applied every committed transaction, so a read sees all rows.
 * QuestDB applies WAL asynchronously; polling `wal_tables()` beats sleeping.
 */
export async function waitForWalApplied(httpUrl: string, table: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await questdbExec(
      httpUrl,
      `select sequencerTxn, writerTxn, suspended from wal_tables() where name = '${table.replace(/'/g, "''")}'`,
    );
    const row = r.dataset[0];
    if (row && row[0] === row[1] && row[2] !== true) return;
    if (row && row[2] === true) {
      throw new WattstreamError(PlatformErrorCode.QuestDbSql, `QuestDB suspended WAL table ${table}`);
    }
    if (Date.now() > deadline) {
      throw new WattstreamError(
        PlatformErrorCode.QuestDbUnavailable,
        `WAL of ${table} not applied within ${timeoutMs} ms`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
