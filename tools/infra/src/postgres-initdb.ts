import { execFile, spawn } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { InfraErrorCode, infraError } from './errors.js';
import { cacheDir } from './paths.js';
import type { PostgresInstall } from './postgres-install.js';
import { chownTo, commandAs, type RunAsUser } from './run-as.js';

const run = promisify(execFile);

/** The superuser `initdb` creates; the admin URL logs in as it. */
export const POSTGRES_SUPERUSER = 'postgres';

/** Bump when the initdb arguments change: cached templates made with the old ones are not used. */
const TEMPLATE_LAYOUT = 1;

export interface DataDirectoryOptions {
  install: PostgresInstall;
  /** The server user (root's stand-in), or undefined for ourselves. */
  user: RunAsUser | undefined;
  /** The instance folder; staging happens inside it, where the server user can reach. */
  dir: string;
  /** The data directory to create. */
  target: string;
  /** The superuser's password. */
  password: string;
  /**
   * Copy a cached initdb result instead of running initdb (a cold start in a third of the CPU,
   * which counts when the test setup starts Postgres beside two JVMs on two cores). Only for
   * clusters that need no durability: the template is written without fsync.
   */
  fromTemplate: boolean;
  log?: (msg: string) => void;
}

/**
 * Creates a data directory whose superuser `postgres` logs in with `password` over SCRAM (every
 * connection), UTF8, C locale: in a staging folder renamed into place, so an interrupted start
 * leaves nothing half-made. Test clusters copy a cached template (made by their first initdb on
 * this machine) and set their own password in single-user mode.
 */
export async function createDataDirectory(o: DataDirectoryOptions): Promise<void> {
  const staging = join(o.dir, `data.init-${process.pid}`);
  const template = join(
    cacheDir(),
    `postgres-${o.install.version}-uid${o.user?.uid ?? process.getuid?.() ?? 0}-t${TEMPLATE_LAYOUT}`,
  );
  rmSync(staging, { recursive: true, force: true });
  try {
    if (o.fromTemplate && (await copy(template, staging))) {
      o.log?.(`${o.target}: copied from ${template}`);
      await setSuperuserPassword(o, staging);
    } else {
      await initdb(o, staging);
      if (o.fromTemplate) await saveTemplate(staging, template);
    }
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    throw err;
  }
  try {
    renameSync(staging, o.target);
  } catch {
    rmSync(staging, { recursive: true, force: true }); // another start created it first
  }
}

/** `cp -a`: keeps the server user's ownership and the 0700 modes Postgres insists on. */
async function copy(from: string, to: string): Promise<boolean> {
  try {
    await run('cp', ['-a', '--', from, to], { timeout: 60_000 });
    return true;
  } catch {
    rmSync(to, { recursive: true, force: true });
    return false;
  }
}

/** Best effort, atomically: a copy renamed into place; a concurrent writer's copy is as good. */
async function saveTemplate(from: string, template: string): Promise<void> {
  mkdirSync(dirname(template), { recursive: true });
  const tmp = `${template}.tmp-${process.pid}`;
  if (!(await copy(from, tmp))) return;
  try {
    renameSync(tmp, template);
  } catch {
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function initdb(o: DataDirectoryOptions, staging: string): Promise<void> {
  const pwfile = join(o.dir, `initdb-${process.pid}.pw`);
  mkdirSync(staging, { mode: 0o700 });
  writeFileSync(pwfile, `${o.password}\n`, { mode: 0o600 });
  chownTo(o.user, staging, pwfile); // initdb runs as the server user and reads the password itself
  o.log?.(`initdb ${o.target} (PostgreSQL ${o.install.version}) …`);
  const [command, args] = commandAs(o.user, join(o.install.bindir, 'initdb'), [
    `--pgdata=${staging}`,
    `--username=${POSTGRES_SUPERUSER}`,
    `--pwfile=${pwfile}`,
    '--auth=scram-sha-256',
    '--encoding=UTF8',
    '--locale=C',
    // Test clusters: no fsync, and 1 MB WAL segments (initdb writes and we copy one, not 16 MB).
    ...(o.fromTemplate ? ['--no-sync', '--wal-segsize=1'] : []),
  ]);
  try {
    // A second of CPU, started beside the Kafka and QuestDB JVMs: at a lower priority it takes the
    // cores they leave, and still ends well before Kafka is ready.
    await run('nice', ['-n', '10', command, ...args], {
      cwd: o.dir,
      timeout: 120_000,
      env: { ...process.env, LC_ALL: 'C' },
    });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw infraError(InfraErrorCode.StartFailed, `initdb failed: ${e.stderr || e.stdout || e.message}`, err);
  } finally {
    rmSync(pwfile, { force: true });
  }
}

/** `ALTER ROLE` in single-user mode: no server, no login, the password never on a command line. */
function setSuperuserPassword(o: DataDirectoryOptions, dataDir: string): Promise<void> {
  const [command, args] = commandAs(o.user, join(o.install.bindir, 'postgres'), [
    '--single',
    '-D',
    dataDir,
    '-c',
    'fsync=off',
    'postgres',
  ]);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: o.dir, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      // Single-user mode reports a failed statement on stderr and still exits 0.
      if (code === 0 && !/\b(ERROR|FATAL|PANIC):/.test(out)) return resolve();
      reject(infraError(InfraErrorCode.StartFailed, `setting the superuser password failed (exit ${code}):\n${out}`));
    });
    child.stdin.end(`ALTER ROLE ${POSTGRES_SUPERUSER} PASSWORD '${o.password.replaceAll("'", "''")}';\n`);
  });
}
