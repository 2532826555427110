import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAlive, ManagedProcess } from '../src/managed-process.js';
import { startReaper } from '../src/testing/reaper.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!cond() && Date.now() < deadline) await sleep(100);
  return cond();
}

/** A server stand-in that ignores SIGTERM, like a JVM stuck in shutdown. */
async function stubbornServer(dir: string): Promise<number> {
  mkdirSync(dir, { recursive: true });
  const proc = new ManagedProcess({
    name: 'stubborn',
    dir,
    command: process.execPath,
    args: ['-e', "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000);"],
    ready: async () => true,
  });
  return proc.start();
}

describe('test reaper', () => {
  it('stops what runs from a watched folder and deletes it when its owner is killed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wattstream-reaper-'));
    const outside = mkdtempSync(join(tmpdir(), 'wattstream-reaper-outside-'));
    const inside = await stubbornServer(join(dir, 'kafka'));
    const bystander = await stubbornServer(outside);

    try {
      const reaper = startReaper(1000);
      reaper.watch(dir);
      // The owner stands in for a test process: it inherits the pipe to the reaper, we close ours,
      // and SIGKILL gives the owner no chance to clean up.
      const owner = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
        stdio: [reaper.process.stdin!, 'ignore', 'ignore'],
      });
      await sleep(300);
      reaper.process.stdin!.destroy();
      await sleep(500);
      expect(isAlive(inside)).toBe(true); // the owner still lives, so nothing is reaped yet
      owner.kill('SIGKILL');

      expect(await until(() => !isAlive(inside) && !existsSync(dir), 15_000)).toBe(true);
      expect(isAlive(bystander)).toBe(true);
      expect(existsSync(outside)).toBe(true);
    } finally {
      for (const pid of [inside, bystander].filter(isAlive)) process.kill(-pid, 'SIGKILL');
      rmSync(outside, { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
