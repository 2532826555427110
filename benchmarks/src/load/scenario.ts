/**
 * Child process: runs a load scenario that a package keeps beside its code (`<pkg>/bench/*.ts`,
 * TypeScript importing that package's internals), under tsx with the `source` condition, and
 * sends back what it returns. The parent chooses the Node flags (`--expose-gc`) and pinning.
 *
 * argv: <module path relative to the repository> <export name>; IPC: parent → `{type:'config',
 * args}`; child → `{type:'done', result}`.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '@wattstream/infra';
import { childMain } from '../child.js';

childMain(async () => {
  const [file, exportName] = process.argv.slice(2) as [string, string];
  const args = await new Promise<unknown[]>((resolve) =>
    process.once('message', (m: { args: unknown[] }) => resolve(m.args)),
  );
  const mod = (await import(pathToFileURL(join(repoRoot(), file)).href)) as Record<string, unknown>;
  const fn = mod[exportName];
  if (typeof fn !== 'function') throw new Error(`${file} has no function ${exportName}`);
  const result: unknown = await fn(...args);
  process.send?.({ type: 'done', result }, () => process.exit(0));
});
