import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A fresh temporary folder (under `$WATTSTREAM_TEST_TMP` when set). */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(process.env.WATTSTREAM_TEST_TMP ?? tmpdir(), `wattstream-${prefix}-`));
}
