import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InfraErrorCode, infraError } from './errors.js';

/** An unprivileged account a server runs as when we are root. */
export interface RunAsUser {
  name: string;
  uid: number;
  gid: number;
}

const SETPRIV = '/usr/bin/setpriv';

/**
 * The account to run PostgreSQL as: none (ourselves) unless we are root, which Postgres refuses
 * ("root" execution of the PostgreSQL server is not permitted). As root: `$INFRA_POSTGRES_USER`,
 * else `postgres`, the system user Debian's postgresql package creates.
 */
export function postgresRunAs(env = process.env): RunAsUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const name = env.INFRA_POSTGRES_USER || 'postgres';
  const id = (flag: string) => Number(execFileSync('id', [flag, name], { encoding: 'utf8', stdio: 'pipe' }).trim());
  let user: RunAsUser;
  try {
    user = { name, uid: id('-u'), gid: id('-g') };
  } catch (err) {
    throw infraError(
      InfraErrorCode.PostgresUser,
      `PostgreSQL refuses to run as root and there is no user "${name}" to run it as: install postgresql (apt-get install postgresql creates the postgres user), create one (useradd --system ${name}), or set INFRA_POSTGRES_USER`,
      err,
    );
  }
  if (user.uid === 0) {
    throw infraError(
      InfraErrorCode.PostgresUser,
      `INFRA_POSTGRES_USER=${name} is root; PostgreSQL needs an unprivileged user`,
    );
  }
  try {
    statSync(SETPRIV);
  } catch (err) {
    throw infraError(
      InfraErrorCode.PostgresUser,
      `running PostgreSQL as ${name} needs ${SETPRIV} (Debian package util-linux): apt-get install util-linux`,
      err,
    );
  }
  return user;
}

/**
 * `command args` run as `user` (or as ourselves when undefined). setpriv changes the ids and then
 * execs the command in the same process: the pid we spawn is the server's own, and the environment
 * (with our instance marker, which the reaper looks for) passes through unchanged. su/runuser
 * would fork and wait under a PAM session instead.
 */
export function commandAs(user: RunAsUser | undefined, command: string, args: string[]): [string, string[]] {
  if (!user) return [command, args];
  return [SETPRIV, [`--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--', command, ...args]];
}

export function chownTo(user: RunAsUser | undefined, ...paths: string[]): void {
  if (!user) return;
  for (const p of paths) chownSync(p, user.uid, user.gid);
}

/**
 * Lets `user` pass through a folder of ours (search, not list: g+x, o+x), as the server user must to
 * reach its data directory inside it. Files inside keep their own modes (passwords stay 0600).
 */
export function allowSearch(user: RunAsUser | undefined, dir: string): void {
  if (!user) return;
  chmodSync(dir, (statSync(dir).mode & 0o7777) | 0o011);
}

/**
 * The first folder on the way to `path` that `user` may not enter (no search permission), or
 * undefined when it can reach it. Postgres runs as that user and must reach its data directory.
 */
export function unreachableBy(user: RunAsUser, path: string): string | undefined {
  const chain: string[] = [];
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    chain.unshift(dir);
    if (dirname(dir) === dir) break;
  }
  for (const dir of chain) {
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(dir);
    } catch {
      return undefined; // not created yet: we create the rest ourselves
    }
    const bit = st.uid === user.uid ? 0o100 : st.gid === user.gid ? 0o010 : 0o001;
    if ((st.mode & bit) === 0) return dir;
  }
  return undefined;
}
