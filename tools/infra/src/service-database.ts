import { createHmac } from 'node:crypto';
import type pg from 'pg';
import { InfraErrorCode, infraError } from './errors.js';
import { withPg } from './pg-client.js';

/** A service's database and login role: `<name>` and `svc_<name>` (dashes become underscores). */
export function serviceIdentifiers(service: string): { database: string; role: string } {
  // 63 bytes is Postgres' identifier limit (NAMEDATALEN - 1); "svc_" takes 4 of them.
  if (!/^[a-z][a-z0-9_-]{0,58}$/.test(service)) {
    throw infraError(
      InfraErrorCode.BadServiceName,
      `service name ${JSON.stringify(service)} must be 1–59 characters of a-z, 0-9, _ and -, starting with a letter`,
    );
  }
  const database = service.replaceAll('-', '_');
  return { database, role: `svc_${database}` };
}

/**
 * The role's password, derived from the admin password (HMAC-SHA256): every caller that holds the
 * admin URL gets the same one without a shared file, so any process (and two at once) can hand a
 * service its URL, and it stays the same for the life of the cluster. Knowing it reveals nothing
 * about the admin password.
 */
function rolePassword(admin: URL, role: string): string {
  const secret = decodeURIComponent(admin.password);
  if (!secret) {
    throw infraError(
      InfraErrorCode.DatabaseSetup,
      'the admin URL carries no password: service passwords are derived from it (use the POSTGRES_URL that pnpm infra up prints)',
    );
  }
  return createHmac('sha256', secret).update(`wattstream service role ${role}`).digest('hex');
}

function parseAdminUrl(adminUrl: string): URL {
  try {
    const u = new URL(adminUrl);
    if (u.protocol === 'postgres:' || u.protocol === 'postgresql:') return u;
  } catch {
    // reported below
  }
  throw infraError(InfraErrorCode.DatabaseSetup, 'the admin URL must look like postgres://user:password@host:port/db');
}

/** Maintenance databases every role may connect to by default; closed to PUBLIC here. */
const SHARED_DATABASES = ['postgres', 'template1'];

// One lock key for all of this: concurrent GRANT/REVOKE on one database fails with "tuple
// concurrently updated", and CREATE ROLE/DATABASE race on their unique names.
const LOCK_KEY = 0x7773_6462; // "wsdb"

async function locked<T>(adminUrl: string, what: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  try {
    return await withPg(adminUrl, async (c) => {
      await c.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
      try {
        return await fn(c);
      } finally {
        await c.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => {});
      }
    });
  } catch (err) {
    if ((err as { code?: string }).code === InfraErrorCode.DatabaseSetup) throw err;
    throw infraError(InfraErrorCode.DatabaseSetup, `${what} failed: ${(err as Error).message}`, err);
  }
}

/**
 * Creates (or repairs) the service's own database and login role on the cluster behind `adminUrl`
 * (a superuser URL, like the POSTGRES_URL of `pnpm infra up`) and returns the service's URL,
 * `postgres://svc_<name>:<password>@<host>:<port>/<name>`. The role owns its database and may
 * connect to no other: CONNECT is revoked from PUBLIC on every service database and on the
 * maintenance databases, so a cross-service connection fails at the server (SQLSTATE 42501).
 * Idempotent, and safe when several processes call it at once (an advisory lock serialises them).
 */
export async function ensureServiceDatabase(adminUrl: string, service: string): Promise<string> {
  const { database, role } = serviceIdentifiers(service);
  const admin = parseAdminUrl(adminUrl);
  const password = rolePassword(admin, role);
  await locked(adminUrl, `setting up database ${database} for ${service}`, async (c) => {
    const id = (name: string) => c.escapeIdentifier(name);
    const roleExists = (await c.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role])).rowCount === 1;
    const attrs = `LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD ${c.escapeLiteral(password)}`;
    await c.query(`${roleExists ? 'ALTER' : 'CREATE'} ROLE ${id(role)} WITH ${attrs}`);
    const dbExists = (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])).rowCount === 1;
    if (dbExists) await c.query(`ALTER DATABASE ${id(database)} OWNER TO ${id(role)}`);
    else await c.query(`CREATE DATABASE ${id(database)} OWNER ${id(role)} ENCODING 'UTF8'`);
    await c.query(`REVOKE ALL ON DATABASE ${id(database)} FROM PUBLIC`);
    await c.query(`GRANT ALL ON DATABASE ${id(database)} TO ${id(role)}`);
    for (const shared of SHARED_DATABASES) await c.query(`REVOKE CONNECT ON DATABASE ${id(shared)} FROM PUBLIC`);
  });
  const url = new URL(admin.href);
  url.username = role;
  url.password = password;
  url.pathname = `/${database}`;
  return url.href;
}

/** Drops a service's database (closing its sessions) and its role. For tests and resets. */
export async function dropServiceDatabase(adminUrl: string, service: string): Promise<void> {
  const { database, role } = serviceIdentifiers(service);
  parseAdminUrl(adminUrl);
  await locked(adminUrl, `dropping database ${database}`, async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(database)} WITH (FORCE)`);
    await c.query(`DROP ROLE IF EXISTS ${c.escapeIdentifier(role)}`);
  });
}
