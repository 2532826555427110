import { type ChildProcess, spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { INSTANCE_ENV } from '../managed-process.js';

/**
 * The reaper: a detached process that outlives the test process that started it. It reads the
 * folders to watch from stdin, one per line. Its stdin closes when that test process ends by any
 * means (a normal exit, Ctrl-C, a crash, SIGKILL, `vitest | head`), because the kernel closes the
 * pipe. Then it stops every process whose `WATTSTREAM_INSTANCE` marker lies in one of those folders
 * (SIGTERM to the process group, SIGKILL after a grace period) and deletes the folders. Without it,
 * an interrupted test run leaves Kafka and QuestDB JVMs running with their heaps.
 */
const REAPER_SOURCE = `
const fs = require('node:fs');
const marker = process.env.REAPER_MARKER + '=';
const graceMs = Number(process.env.REAPER_GRACE_MS);
const dirs = [];
let buf = '';
const inside = (value) => dirs.some((d) => value === d || value.startsWith(d + '/'));
function ours() {
  const pids = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(name)) continue;
    try {
      const env = fs.readFileSync('/proc/' + name + '/environ', 'utf8').split('\\0');
      if (env.some((e) => e.startsWith(marker) && inside(e.slice(marker.length)))) pids.push(Number(name));
    } catch {}
  }
  return pids;
}
function signal(pid, sig) {
  try { process.kill(-pid, sig); } catch { try { process.kill(pid, sig); } catch {} }
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let reaping = false;
async function reap() {
  if (reaping) return;
  reaping = true;
  let pids = ours();
  for (const p of pids) signal(p, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (pids.length > 0 && Date.now() < deadline) {
    await sleep(200);
    pids = ours();
  }
  for (const p of pids) signal(p, 'SIGKILL');
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  process.exit(0);
}
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buf += chunk;
  for (let i = buf.indexOf('\\n'); i >= 0; i = buf.indexOf('\\n')) {
    dirs.push(buf.slice(0, i));
    buf = buf.slice(i + 1);
  }
});
process.stdin.on('end', reap);
process.stdin.on('error', reap);
`;

export interface Reaper {
  readonly process: ChildProcess;
  /** Adds a folder: what runs from it is stopped, and it is deleted, when this process ends. */
  watch(dir: string): void;
}

/** Starts a reaper that does not keep this process alive. */
export function startReaper(graceMs = 15_000): Reaper {
  const child = spawn(process.execPath, ['-e', REAPER_SOURCE], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
    env: { PATH: process.env.PATH ?? '', REAPER_MARKER: INSTANCE_ENV, REAPER_GRACE_MS: String(graceMs) },
  });
  const stdin = child.stdin as Socket;
  stdin.on('error', () => {}); // the reaper is gone: nothing left to tell it
  stdin.unref();
  child.unref();
  return { process: child, watch: (dir) => stdin.write(`${dir}\n`) };
}

let reaper: Reaper | undefined;

/** Registers a test folder with this process's reaper (Linux only; `/proc` finds the processes). */
export function reapOnExit(dir: string): void {
  if (process.platform !== 'linux' || process.env.WATTSTREAM_TEST_REAPER === '0') return;
  reaper ??= startReaper();
  reaper.watch(dir);
}
