import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { dropServiceDatabase, ensureServiceDatabase } from '../src/index.js';
import { testDatabase } from '../src/testing/index.js';

// The run's shared cluster, started by the global setup like Kafka.
const admin = inject('infra').POSTGRES_URL ?? '';
const suffix = Date.now().toString(36);

async function query(url: string, sql: string): Promise<unknown[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql)).rows;
  } finally {
    await c.end();
  }
}

/** The SQLSTATE a connection (or its first statement) fails with, or 'ok'. */
const outcome = (url: string, sql = 'SELECT 1') =>
  query(url, sql).then(
    () => 'ok',
    (err: { code?: string }) => err.code,
  );

const withDatabase = (url: string, db: string) => {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.href;
};

describe('ensureServiceDatabase', () => {
  it('gives each service a role that may use its own database and connect to no other', async () => {
    const a = `svc-a-${suffix}`;
    const b = `svc-b-${suffix}`;
    const [urlA, urlB] = [await ensureServiceDatabase(admin, a), await ensureServiceDatabase(admin, b)];
    const dbA = a.replaceAll('-', '_');
    const dbB = b.replaceAll('-', '_');
    expect(new URL(urlA)).toMatchObject({ username: `svc_${dbA}`, pathname: `/${dbA}`, port: new URL(admin).port });

    // Its own database: it owns it, so migrations can create schemas and tables.
    expect(await outcome(urlA, 'CREATE TABLE things (id int PRIMARY KEY)')).toBe('ok');
    expect(await query(urlA, 'INSERT INTO things VALUES (1) RETURNING id')).toEqual([{ id: 1 }]);
    expect(await outcome(urlA, 'CREATE SCHEMA private')).toBe('ok');

    // Another service's database, and the maintenance ones: refused at the server (42501
    // insufficient_privilege: "permission denied for database …").
    expect(await outcome(withDatabase(urlA, dbB))).toBe('42501');
    expect(await outcome(withDatabase(urlB, dbA))).toBe('42501');
    expect(await outcome(withDatabase(urlA, 'postgres'))).toBe('42501');
    expect(await outcome(withDatabase(urlA, 'template1'))).toBe('42501');
    // Not a superuser, cannot make databases or roles.
    expect(await outcome(urlA, 'CREATE DATABASE sneaky')).toBe('42501');
    expect(await outcome(urlA, 'CREATE ROLE sneaky')).toBe('42501');
    // A wrong password is refused too (the role authenticates with SCRAM).
    const wrong = new URL(urlA);
    wrong.password = 'wrong';
    expect(await outcome(wrong.href)).toBe('28P01');
  });

  it('is idempotent and safe when several processes call it at once', async () => {
    const service = `svc-c-${suffix}`;
    const urls = await Promise.all(Array.from({ length: 5 }, () => ensureServiceDatabase(admin, service)));
    expect(new Set(urls).size).toBe(1);
    await query(urls[0]!, 'CREATE TABLE survives (v int)');
    expect(await ensureServiceDatabase(admin, service)).toBe(urls[0]);
    expect(await outcome(urls[0]!, 'SELECT * FROM survives')).toBe('ok');
    const roles = await query(admin, `SELECT rolname FROM pg_roles WHERE rolname = 'svc_svc_c_${suffix}'`);
    expect(roles).toHaveLength(1);
  });

  it('refuses names that are not plain identifiers', async () => {
    await expect(ensureServiceDatabase(admin, 'Users; DROP')).rejects.toMatchObject({
      code: 'WS_INFRA_BAD_SERVICE_NAME',
    });
    await expect(ensureServiceDatabase('postgres://127.0.0.1:1/postgres', 'users')).rejects.toMatchObject({
      code: 'WS_INFRA_DATABASE_SETUP',
    });
  });

  it('dropServiceDatabase removes the database (closing its sessions) and the role', async () => {
    const service = `svc-d-${suffix}`;
    const url = await ensureServiceDatabase(admin, service);
    const open = new pg.Client({ connectionString: url });
    open.on('error', () => {});
    await open.connect();
    await dropServiceDatabase(admin, service);
    await expect(open.query('SELECT 1')).rejects.toThrow();
    expect(await outcome(url)).toBe('28P01'); // the role is gone
  });
});

describe('testDatabase', () => {
  it('gives every call a fresh database and role on the shared cluster', async () => {
    const [one, two] = [await testDatabase('users'), await testDatabase('users')];
    try {
      expect(one.url).not.toBe(two.url);
      await query(one.url, 'CREATE TABLE t (v int)');
      expect(await outcome(two.url, 'SELECT * FROM t')).toBe('42P01'); // undefined_table: not shared
      expect(await outcome(withDatabase(one.url, new URL(two.url).pathname.slice(1)))).toBe('42501');
    } finally {
      await one.drop();
      await two.drop();
    }
    expect(await outcome(one.url)).toBe('28P01');
  });
});
