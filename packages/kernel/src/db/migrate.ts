import { fileURLToPath } from 'node:url';
import type { Logger } from '@wattstream/platform';
import { runner } from 'node-pg-migrate';
import pg from 'pg';
import { KernelErrorCode, kernelError } from '../errors.js';

/** The kernel's own tables (outbox, processed events), migrated before the service's. */
export const KERNEL_MIGRATIONS = new URL('../../migrations/', import.meta.url);

/**
 * Applies the forward-only SQL migrations in `dir` (files `NNNN_name.sql`, run in name order),
 * recording them in `table`. node-pg-migrate takes a Postgres advisory lock and, in `wait` mode,
 * a second replica starting at the same time blocks on it and then finds nothing left to do, so
 * migrations are safe to run from every replica at start. Returns the names applied now.
 */
export async function migrate(url: string, dir: URL, table: string, logger: Logger): Promise<string[]> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    const applied = await runner({
      dbClient: client,
      dir: fileURLToPath(dir),
      migrationsTable: table,
      direction: 'up',
      checkOrder: true,
      singleTransaction: true,
      advisoryLockMode: 'wait',
      log: () => {},
      logger: {
        debug: () => {},
        info: () => {},
        warn: (m: string) => logger.warn(m),
        error: (m: string) => logger.error(m),
      },
    });
    const names = applied.map((m) => m.name);
    if (names.length > 0) logger.info({ table, migrations: names }, 'database migrated');
    return names;
  } catch (err) {
    throw kernelError(
      KernelErrorCode.DbMigrationFailed,
      `migrations in ${fileURLToPath(dir)} could not be applied: ${(err as Error).message}`,
      { cause: err },
    );
  } finally {
    await client.end().catch(() => {});
  }
}
