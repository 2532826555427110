import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { InfraErrorCode, infraError } from './errors.js';
import { ManagedProcess } from './managed-process.js';
import { withPg } from './pg-client.js';
import { allowSearch, chownTo, commandAs, postgresRunAs, type RunAsUser, unreachableBy } from './run-as.js';
import { storedSecret } from './secret.js';

const run = promisify(execFile);

/** The superuser `initdb` creates; the admin URL logs in as it. */
export const POSTGRES_SUPERUSER = 'postgres';

export interface PostgresInstall {
  /** Folder holding `postgres` and `initdb`. */
  bindir: string;
  /** e.g. `15.18` */
  version: string;
  major: number;
}

const isServerBindir = (dir: string) => existsSync(join(dir, 'postgres')) && existsSync(join(dir, 'initdb'));

function serverVersion(bindir: string): PostgresInstall | undefined {
  try {
    const out = execFileSync(join(bindir, 'postgres'), ['--version'], { encoding: 'utf8', stdio: 'pipe' });
    const m = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?/.exec(out);
    if (!m) return undefined;
    return { bindir, version: m[2] === undefined ? m[1]! : `${m[1]}.${m[2]}`, major: Number(m[1]) };
  } catch {
    return undefined;
  }
}

/** Server folders in order of preference: `pg_config --bindir`, Debian's newest first, then PATH. */
function candidateBindirs(env: NodeJS.ProcessEnv): string[] {
  const dirs: string[] = [];
  try {
    dirs.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: 'pipe', env }).trim());
  } catch {
    // no pg_config (it comes with libpq-dev or postgresql-common)
  }
  try {
    const versions = readdirSync('/usr/lib/postgresql')
      .filter((v) => /^\d+(\.\d+)?$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    dirs.push(...versions.map((v) => `/usr/lib/postgresql/${v}/bin`));
  } catch {
    // not Debian's layout
  }
  dirs.push(...(env.PATH ?? '').split(delimiter).filter(Boolean));
  return [...new Set(dirs)].filter(isServerBindir);
}

/**
 * The PostgreSQL server to run: `$INFRA_POSTGRES_BINDIR` when set, else the first of
 * `pg_config --bindir`, `/usr/lib/postgresql/<newest>/bin`, PATH that has `postgres` and `initdb`.
 * `preferMajor` (an existing data directory's version) picks that major when it is installed.
 */
export function findPostgres(env = process.env, preferMajor?: number): PostgresInstall {
  const fromEnv = env.INFRA_POSTGRES_BINDIR;
  const dirs = fromEnv ? [fromEnv].filter(isServerBindir) : candidateBindirs(env);
  const installs = dirs.map(serverVersion).filter((i): i is PostgresInstall => i !== undefined);
  const chosen = installs.find((i) => i.major === preferMajor) ?? installs[0];
  if (!chosen) {
    throw infraError(
      InfraErrorCode.NoPostgres,
      fromEnv
        ? `INFRA_POSTGRES_BINDIR=${fromEnv} holds no PostgreSQL server (postgres and initdb)`
        : 'no PostgreSQL server found (looked at pg_config --bindir, /usr/lib/postgresql/*/bin and PATH): install it (Debian: apt-get install postgresql; scripts/test.sh does) or set INFRA_POSTGRES_BINDIR',
    );
  }
  return chosen;
}

/**
 * - `full`: Postgres' defaults (`pnpm infra`).
 * - `process`: fsync and full_page_writes off: nothing committed is lost when Postgres is killed,
 *   but a machine crash can corrupt the cluster. For tests that kill Postgres.
 * - `none`: synchronous_commit off too: a kill can also lose the last commits (those of the last
 *   ~3 × wal_writer_delay = 600 ms). For the shared test cluster, which nobody kills.
 */
export type PostgresDurability = 'full' | 'process' | 'none';

const DURABILITY_SETTINGS: Record<PostgresDurability, Record<string, string>> = {
  full: {},
  process: { fsync: 'off', full_page_writes: 'off' },
  none: { fsync: 'off', full_page_writes: 'off', synchronous_commit: 'off' },
};

export interface PostgresNodeOptions {
  /** Instance folder: `data/` (PGDATA), `socket/`, the superuser password, log and pid file. */
  dir: string;
  port: number;
  /** What a commit survives; less is faster. Test clusters only below `full`. */
  durability?: PostgresDurability;
  maxConnections?: number;
  sharedBuffers?: string;
  log?: (msg: string) => void;
}

/** Longest Unix socket path Linux accepts (sun_path is 108 bytes with the NUL). */
const MAX_SOCKET_PATH = 107;

/**
 * A PostgreSQL cluster from the machine's packages in a throwaway data directory: `initdb` once
 * (superuser `postgres`, a generated password in `<dir>/superuser.password` (0600), SCRAM for
 * every connection, UTF8, C locale), then `postgres` on 127.0.0.1 only, its Unix socket in the
 * instance folder. As root it runs as the `postgres` system user (see run-as.ts). Readiness is a
 * real login and `SELECT 1`; `stop` asks for a fast shutdown (SIGINT), which ends open sessions.
 */
export class PostgresNode {
  readonly service: ManagedProcess;
  readonly dataDir: string;
  readonly passwordFile: string;

  constructor(readonly opts: PostgresNodeOptions) {
    this.dataDir = join(opts.dir, 'data');
    this.passwordFile = join(opts.dir, 'superuser.password');
    this.service = new ManagedProcess({
      name: 'postgres',
      dir: opts.dir,
      command: 'postgres', // set in start(), once the binaries and the user are known
      args: [],
      ready: () => this.ready(),
      startTimeoutMs: 60_000,
      stopSignal: 'SIGINT',
    });
  }

  get address(): string {
    return `127.0.0.1:${this.opts.port}`;
  }

  /** `postgres://postgres:<password>@127.0.0.1:<port>/postgres`: the cluster's superuser. */
  adminUrl(): string {
    return `postgres://${POSTGRES_SUPERUSER}:${storedSecret(this.passwordFile)}@${this.address}/postgres`;
  }

  async ready(): Promise<boolean> {
    return withPg(this.adminUrl(), async (c) => (await c.query('SELECT 1 AS one')).rows[0]?.one === 1, {
      connectTimeoutMs: 1000,
    });
  }

  /** The server version of an existing data directory, from its PG_VERSION file. */
  private dataMajor(): number | undefined {
    try {
      return Number(readFileSync(join(this.dataDir, 'PG_VERSION'), 'utf8').trim());
    } catch {
      return undefined;
    }
  }

  async start(): Promise<void> {
    if (this.service.runningPid() !== undefined) return;
    const install = findPostgres(process.env, this.dataMajor());
    const user = postgresRunAs();
    const dir = this.opts.dir;
    mkdirSync(dir, { recursive: true });
    if (user) {
      allowSearch(user, dir);
      const blocked = unreachableBy(user, dir);
      if (blocked) {
        throw infraError(
          InfraErrorCode.PostgresUser,
          `PostgreSQL runs as ${user.name} (it refuses root), which may not enter ${blocked} on the way to ${dir}: put the instance elsewhere (INFRA_DIR, WATTSTREAM_TEST_TMP) or allow it (chmod o+x ${blocked})`,
        );
      }
    }
    const password = storedSecret(this.passwordFile);
    if (this.dataMajor() === undefined) await this.initdb(install, user, password);
    this.removeStaleLock();
    const socketDir = join(dir, 'socket');
    mkdirSync(socketDir, { recursive: true, mode: 0o700 });
    chownTo(user, socketDir);
    const fitsSocket = `${socketDir}/.s.PGSQL.${this.opts.port}`.length <= MAX_SOCKET_PATH;
    const settings: Record<string, string | number> = {
      listen_addresses: '127.0.0.1',
      port: this.opts.port,
      unix_socket_directories: fitsSocket ? socketDir : '',
      max_connections: this.opts.maxConnections ?? 200,
      shared_buffers: this.opts.sharedBuffers ?? '64MB',
      ...DURABILITY_SETTINGS[this.opts.durability ?? 'full'],
    };
    const args = ['-D', this.dataDir, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
    [this.service.spec.command, this.service.spec.args] = commandAs(user, join(install.bindir, 'postgres'), args);
    this.opts.log?.(`starting PostgreSQL ${install.version} on ${this.address}${user ? ` as ${user.name}` : ''} …`);
    await this.service.start();
  }

  /** initdb into a fresh folder renamed into place, so an interrupted initdb leaves nothing half-made. */
  private async initdb(install: PostgresInstall, user: RunAsUser | undefined, password: string): Promise<void> {
    const dir = this.opts.dir;
    const staging = join(dir, `data.init-${process.pid}`);
    const pwfile = join(dir, `initdb-${process.pid}.pw`);
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { mode: 0o700 });
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    chownTo(user, staging, pwfile); // initdb runs as the server user and reads the password itself
    this.opts.log?.(`initdb ${this.dataDir} (PostgreSQL ${install.version}) …`);
    const [command, args] = commandAs(user, join(install.bindir, 'initdb'), [
      `--pgdata=${staging}`,
      `--username=${POSTGRES_SUPERUSER}`,
      `--pwfile=${pwfile}`,
      '--auth=scram-sha-256',
      '--encoding=UTF8',
      '--locale=C',
      ...((this.opts.durability ?? 'full') === 'full' ? [] : ['--no-sync']),
    ]);
    try {
      await run(command, args, { cwd: dir, timeout: 120_000, env: { ...process.env, LC_ALL: 'C' } });
    } catch (err) {
      rmSync(staging, { recursive: true, force: true });
      const e = err as { stdout?: string; stderr?: string; message: string };
      throw infraError(InfraErrorCode.StartFailed, `initdb failed: ${e.stderr || e.stdout || e.message}`, err);
    } finally {
      rmSync(pwfile, { force: true });
    }
    try {
      renameSync(staging, this.dataDir);
    } catch {
      rmSync(staging, { recursive: true, force: true }); // another start initialised it first
    }
  }

  /**
   * A `postmaster.pid` left by a killed server whose pid now belongs to another process (after a
   * reboot): Postgres would refuse to start. Removed only when that pid is not a postgres on this
   * data directory.
   */
  private removeStaleLock(): void {
    const lock = join(this.dataDir, 'postmaster.pid');
    let pid: number;
    try {
      pid = Number(readFileSync(lock, 'utf8').split('\n')[0]);
    } catch {
      return;
    }
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      return; // gone: Postgres removes a stale lock itself
    }
    if (!cmdline.includes(this.dataDir)) rmSync(lock, { force: true });
  }

  stop(): Promise<boolean> {
    return this.service.stop();
  }
}
