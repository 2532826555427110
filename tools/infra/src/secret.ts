import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { InfraErrorCode, infraError } from './errors.js';

/**
 * A generated password kept in `file` (mode 0600): read when it exists, else created with
 * O_EXCL so that two processes starting the same instance at once agree on one value.
 * URL-safe (base64url), so it goes into connection URLs unescaped.
 */
export function storedSecret(file: string): string {
  const existing = readSecret(file);
  if (existing) return existing;
  mkdirSync(dirname(file), { recursive: true });
  const secret = randomBytes(24).toString('base64url');
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return waitForSecret(file);
  }
  try {
    writeSync(fd, `${secret}\n`);
  } finally {
    closeSync(fd);
  }
  return secret;
}

function readSecret(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The other process created the file and writes it right after: give it a moment. */
function waitForSecret(file: string): string {
  const deadline = Date.now() + 2000;
  for (;;) {
    const secret = readSecret(file);
    if (secret) return secret;
    if (Date.now() > deadline)
      throw infraError(InfraErrorCode.StartFailed, `${file} exists but stays empty: delete it and start again`);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
  }
}
