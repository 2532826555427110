import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '@wattstream/infra';

const run = promisify(execFile);

/**
 * Another commit of this repository, built, for a side-by-side figure in one run (e.g. ingest
 * before a change against ingest after it). Exported with `git archive` into the system's temp
 * folder (outside the workspace, so no test or lint runner sees it), installed from pnpm's store
 * (offline first) and built once per commit; later runs reuse it. Undefined, with the reason,
 * when the commit is not in this clone (a shallow CI checkout).
 */
export async function builtCommit(
  ref: string,
  log: (msg: string) => void,
): Promise<{ root: string; sha: string } | { missing: string }> {
  const cwd = repoRoot();
  let sha: string;
  try {
    sha = (await run('git', ['rev-parse', '--verify', `${ref}^{commit}`], { cwd })).stdout.trim();
  } catch {
    return { missing: `commit ${ref} is not in this clone (shallow?): fetch it or set BENCH_TRACING_BASELINE` };
  }
  const root = join(tmpdir(), `wattstream-baseline-${sha.slice(0, 12)}`);
  const done = join(root, '.built');
  if (existsSync(done)) return { root, sha };
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  log(`building baseline ${sha.slice(0, 12)} in ${root} (once) …`);
  await run('sh', ['-c', `git archive ${sha} | tar -x -C "${root}"`], { cwd, maxBuffer: 64 * 1024 * 1024 });
  const pnpm = (args: string[]) => run('pnpm', args, { cwd: root, maxBuffer: 64 * 1024 * 1024, timeout: 900_000 });
  try {
    await pnpm(['install', '--frozen-lockfile', '--offline', '--reporter=silent']);
  } catch {
    await pnpm(['install', '--frozen-lockfile', '--reporter=silent']);
  }
  await pnpm(['exec', 'tsc', '-b']);
  mkdirSync(done);
  return { root, sha };
}
