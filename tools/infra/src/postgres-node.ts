import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { InfraErrorCode, infraError } from './errors.js';
import { ManagedProcess } from './managed-process.js';
import { withPg } from './pg-client.js';
import { createDataDirectory, POSTGRES_SUPERUSER } from './postgres-initdb.js';
import { findPostgres } from './postgres-install.js';
import { allowSearch, chownTo, commandAs, postgresRunAs, unreachableBy } from './run-as.js';
import { storedSecret } from './secret.js';

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
 * (test clusters copy a cached one, see postgres-initdb.ts; superuser `postgres`, a generated password in `<dir>/superuser.password` (0600), SCRAM for
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
    if (this.dataMajor() === undefined) {
      await createDataDirectory({
        install,
        user,
        dir,
        target: this.dataDir,
        password: storedSecret(this.passwordFile),
        fromTemplate: (this.opts.durability ?? 'full') !== 'full',
        ...(this.opts.log ? { log: this.opts.log } : {}),
      });
    }
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
