import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { freePort } from '../src/free-port.js';
import { isAlive, ManagedProcess } from '../src/managed-process.js';
import { PostgresNode } from '../src/postgres-node.js';
import { RedisNode } from '../src/redis-node.js';
import { allowSearch, postgresRunAs } from '../src/run-as.js';
import { type Reaper, startReaper } from '../src/testing/reaper.js';

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

/** A stand-in for a test process: it inherits the pipe to the reaper, and we close ours. */
async function ownerOf(reaper: Reaper) {
  const owner = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
    stdio: [reaper.process.stdin!, 'ignore', 'ignore'],
  });
  await sleep(300);
  reaper.process.stdin!.destroy();
  return owner;
}

/** Processes whose parent is `pid` (Postgres' backends and auxiliaries, each in its own session). */
const childrenOf = (pid: number) =>
  readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .filter((n) => {
      try {
        return /^PPid:\s+(\d+)$/m.exec(readFileSync(`/proc/${n}/status`, 'utf8'))?.[1] === String(pid);
      } catch {
        return false;
      }
    })
    .map(Number);

const uidOf = (pid: number) => Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);

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

  it('stops a Postgres running as another user (with a client still connected) and a Redis', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wattstream-reaper-pg-'));
    const runAs = postgresRunAs();
    allowSearch(runAs, dir);
    const postgres = new PostgresNode({ dir: join(dir, 'postgres'), port: await freePort(), durability: 'none' });
    const redis = new RedisNode({ dir: join(dir, 'redis'), port: await freePort() });
    const client = new pg.Client({ connectionString: postgres.adminUrl() });
    client.on('error', () => {}); // the server goes away under it
    let pids: number[] = [];
    try {
      await Promise.all([postgres.start(), redis.start()]);
      await client.connect(); // a client outside the folder keeps a backend busy: no smart shutdown
      // From the pid files: what was started, whether or not it still carries its marker.
      const pidOf = (p: ManagedProcess) => Number(readFileSync(p.pidFile, 'utf8'));
      const postmaster = pidOf(postgres.service);
      const backends = childrenOf(postmaster);
      pids = [postmaster, ...backends, pidOf(redis.service)];
      expect(pids.every(isAlive)).toBe(true);
      expect(backends.length).toBeGreaterThanOrEqual(4); // checkpointer, walwriter, …, our backend
      if (runAs) expect(uidOf(postmaster)).toBe(runAs.uid);

      const reaper = startReaper(1000);
      reaper.watch(dir);
      const owner = await ownerOf(reaper);
      owner.kill('SIGKILL');

      expect(await until(() => pids.every((p) => !isAlive(p)) && !existsSync(dir), 20_000)).toBe(true);
    } finally {
      await client.end().catch(() => {});
      for (const pid of pids.filter(isAlive)) process.kill(pid, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
