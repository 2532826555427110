import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the nearest folder above this file holding pnpm-workspace.yaml. */
export function repoRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
}

/** Where downloaded jars live, shared by every clone: `$WATTSTREAM_CACHE`, else the XDG cache. */
export function cacheDir(env = process.env): string {
  if (env.WATTSTREAM_CACHE) return resolve(env.WATTSTREAM_CACHE);
  const xdg = env.XDG_CACHE_HOME ? resolve(env.XDG_CACHE_HOME) : join(homedir(), '.cache');
  return join(xdg, 'wattstream');
}

/** Where `pnpm infra` keeps data, logs and pid files: `$INFRA_DIR`, else `<repo>/.infra`. */
export function infraDir(env = process.env): string {
  return env.INFRA_DIR ? resolve(env.INFRA_DIR) : join(repoRoot(), '.infra');
}
