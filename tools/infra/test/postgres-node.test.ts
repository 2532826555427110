import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPostgres, freePort, PostgresNode, postgresRunAs } from '../src/index.js';
import { startPostgres, type TestPostgres, tempDir } from '../src/testing/index.js';

const isRoot = process.getuid?.() === 0;

async function query<T extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql, params)).rows;
  } finally {
    await c.end();
  }
}

const connectError = async (url: string) =>
  query(url, 'SELECT 1').then(
    () => undefined,
    (err: { code?: string }) => err.code,
  );

const thrown = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
};

const uidOf = (pid: number) => Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);

let cluster: TestPostgres;
beforeAll(async () => {
  cluster = await startPostgres();
});
afterAll(async () => cluster?.destroy());

describe('PostgresNode', () => {
  it('serves SCRAM logins on loopback only, as an unprivileged user, tuned for tests', async () => {
    const [row] = await query<Record<string, string>>(
      cluster.url,
      `SELECT current_user AS "user", current_setting('listen_addresses') AS listen,
              current_setting('fsync') AS fsync, current_setting('full_page_writes') AS fpw,
              current_setting('synchronous_commit') AS sync, current_setting('max_connections') AS max,
              current_setting('server_encoding') AS enc, current_setting('lc_collate') AS collate,
              current_setting('password_encryption') AS enc_pw`,
    );
    expect(row).toEqual({
      user: 'postgres',
      listen: '127.0.0.1',
      fsync: 'off',
      fpw: 'off',
      sync: 'on', // durability 'process': a kill loses no commit
      max: '100',
      enc: 'UTF8',
      collate: 'C',
      enc_pw: 'scram-sha-256',
    });
    // Postgres refuses root; as root we run it as the postgres system user.
    const pid = cluster.node.service.runningPid();
    expect(pid).toBeGreaterThan(0);
    expect(uidOf(pid!)).toBe(isRoot ? postgresRunAs()!.uid : process.getuid?.());
    expect(statSync(cluster.node.passwordFile).mode & 0o777).toBe(0o600);
    expect(await connectError(cluster.url.replace(/:[^:@/]+@/, ':wrong@'))).toBe('28P01');
  });

  it('a second test cluster is copied from the cached initdb, with a password of its own', {
    timeout: 90_000,
  }, async () => {
    const second = await startPostgres();
    try {
      expect(second.url).not.toBe(cluster.url);
      expect(await query(second.url, 'SELECT current_user AS u')).toEqual([{ u: 'postgres' }]);
      // The other cluster's password does not open this one.
      const crossed = new URL(second.url);
      crossed.password = new URL(cluster.url).password;
      expect(await connectError(crossed.href)).toBe('28P01');
      expect(readFileSync(join(second.node.dataDir, 'PG_VERSION'), 'utf8').trim()).toBe(String(findPostgres().major));

      // After a reboot a killed server's postmaster.pid can name a pid that now belongs to another
      // process of the same user (here: the first cluster's postmaster). Postgres alone refuses
      // to start ("lock file already exists"); start() removes a lock that is not this cluster's.
      await second.node.stop();
      writeFileSync(
        join(second.node.dataDir, 'postmaster.pid'),
        `${cluster.node.service.runningPid()}\n${second.node.dataDir}\n`,
      );
      await second.node.start();
      expect(await query(second.url, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    } finally {
      await second.destroy();
    }
  });

  it('starts again on its data after a stop, and after SIGKILL without losing a commit', async () => {
    await query(cluster.url, 'CREATE TABLE kept (v int)');
    await query(cluster.url, 'INSERT INTO kept VALUES (1)');
    expect(await cluster.node.stop()).toBe(true);
    expect(await connectError(cluster.url)).toBe('ECONNREFUSED');
    await cluster.node.start();
    await query(cluster.url, 'INSERT INTO kept VALUES (2)');
    expect(cluster.node.service.kill('SIGKILL')).toBe(true);
    await cluster.node.service.waitForExit();
    await cluster.node.start(); // crash recovery replays the WAL
    expect(await query(cluster.url, 'SELECT v FROM kept ORDER BY v')).toEqual([{ v: 1 }, { v: 2 }]);
  }, 90_000);

  it('says what to install when there is no server', () => {
    const empty = tempDir('no-postgres');
    expect(thrown(() => findPostgres({ ...process.env, INFRA_POSTGRES_BINDIR: empty }))).toMatchObject({
      code: 'WS_INFRA_NO_POSTGRES',
      message: `INFRA_POSTGRES_BINDIR=${empty} holds no PostgreSQL server (postgres and initdb)`,
    });
  });

  it('as root: names the missing server user, and a folder that user cannot enter', async () => {
    if (!isRoot) {
      expect(postgresRunAs({ INFRA_POSTGRES_USER: 'no-such-user' })).toBeUndefined();
      return;
    }
    expect(thrown(() => postgresRunAs({ INFRA_POSTGRES_USER: 'no-such-user-xyz' }))).toMatchObject({
      code: 'WS_INFRA_POSTGRES_USER',
      message: expect.stringContaining('there is no user "no-such-user-xyz" to run it as'),
    });
    const locked = tempDir('pg-locked'); // 0700, root's: postgres cannot pass
    mkdirSync(join(locked, 'inner'));
    const node = new PostgresNode({ dir: join(locked, 'inner', 'pg'), port: await freePort() });
    await expect(node.start()).rejects.toMatchObject({
      code: 'WS_INFRA_POSTGRES_USER',
      message: expect.stringContaining(`may not enter ${locked} on the way`),
    });
  });
});
