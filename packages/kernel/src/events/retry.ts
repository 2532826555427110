import { setTimeout as delay } from 'node:timers/promises';

export interface Backoff {
  initialMs: number;
  maxMs: number;
}

/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff and Jitter"):
 * a uniformly random wait in [0, min(max, initial·2^(attempt−1))], so replicas that failed together
 * do not retry together.
 */
export function backoffDelay(attempt: number, b: Backoff, random: () => number = Math.random): number {
  const ceiling = Math.min(b.maxMs, b.initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(random() * ceiling);
}

/**
 * Waits `ms`, calling `tick` (e.g. the consumer heartbeat) every second; resolves false early
 * when `alive()` turns false (the consumer stops or loses its partition).
 */
export async function waitAlive(ms: number, alive: () => boolean, tick: () => Promise<void>): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!alive()) return false;
    await delay(Math.min(1000, until - Date.now()));
    await tick().catch(() => {});
  }
  return alive();
}
