import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reapOnExit } from './reaper.js';

/**
 * A fresh temporary folder (under `$WATTSTREAM_TEST_TMP` when set). When this process ends, however
 * it ends, whatever still runs from the folder is stopped and the folder is deleted (see `reaper.ts`).
 */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(process.env.WATTSTREAM_TEST_TMP ?? tmpdir(), `wattstream-${prefix}-`));
  reapOnExit(dir);
  return dir;
}
