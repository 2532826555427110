import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { InfraErrorCode, infraError } from './errors.js';

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
