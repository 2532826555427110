import { setTimeout as delay } from 'node:timers/promises';

export interface WaitOptions {
  timeoutMs?: number;
  /** Named in the timeout error: "timed out after 30000 ms waiting for <what>". */
  what?: string;
  intervalMs?: number;
}

/**
 * Polls `check` (sync or async) until it returns a truthy value and resolves with it; throws after
 * the timeout. The one way tests wait for something: never a fixed sleep.
 */
export async function waitFor<T>(
  check: () => T | undefined | null | false | 0 | '' | Promise<T | undefined | null | false | 0 | ''>,
  opts: WaitOptions | number = {},
  what?: string,
): Promise<T> {
  const o = typeof opts === 'number' ? { timeoutMs: opts, what } : opts;
  const timeoutMs = o.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as T;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${o.what ?? 'condition'}`);
    await delay(o.intervalMs ?? 50);
  }
}

/**
 * Asserts that `check` stays falsy for `ms` (e.g. "no frame arrives after the permission was
 * revoked"); throws as soon as it turns truthy.
 */
export async function never(check: () => unknown, ms: number, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) throw new Error(`${what} happened, but must not`);
    await delay(25);
  }
}
