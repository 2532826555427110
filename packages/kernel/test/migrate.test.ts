import { testDatabase } from '@wattstream/infra/testing';
import { KERNEL_MIGRATIONS, migrate } from '@wattstream/kernel';
import { testLogger } from '@wattstream/testkit';
import pg from 'pg';
import { expect, it } from 'vitest';

const probe = new URL('./fixtures/probe-migrations/', import.meta.url);

it('migrates once when several replicas start at the same moment', async () => {
  const db = await testDatabase('migrate');
  try {
    const runs = await Promise.all(
      Array.from({ length: 4 }, async () => [
        await migrate(db.url, KERNEL_MIGRATIONS, 'kernel_migrations', testLogger),
        await migrate(db.url, probe, 'migrations', testLogger),
      ]),
    );
    // Exactly one replica applied each set; the others waited on the lock and found nothing to do.
    expect(runs.filter(([k]) => (k?.length ?? 0) > 0)).toHaveLength(1);
    expect(runs.filter(([, p]) => (p?.length ?? 0) > 0)).toHaveLength(1);
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      const { rows } = await c.query<{ name: string }>('SELECT name FROM migrations ORDER BY id');
      expect(rows.map((r) => r.name)).toEqual(['0001_probe']);
      const tables = await c.query<{ t: string }>(
        `SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`,
      );
      expect(tables.rows.map((r) => r.t)).toEqual(
        expect.arrayContaining(['kernel_outbox', 'kernel_processed_events', 'probe_items', 'probe_effects']),
      );
    } finally {
      await c.end();
    }
  } finally {
    await db.drop();
  }
});

it('names the folder and the SQL error when a migration fails', async () => {
  const db = await testDatabase('migrate');
  try {
    const broken = new URL('./fixtures/broken-migrations/', import.meta.url);
    await expect(migrate(db.url, broken, 'migrations', testLogger)).rejects.toMatchObject({
      code: 'WS_DB_MIGRATION_FAILED',
      message: expect.stringMatching(/broken-migrations.*syntax error/s),
    });
  } finally {
    await db.drop();
  }
});
