import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { isPortFree } from './prereqs.js';

/**
 * Free loopback ports for tests and benchmarks, chosen so that nothing else takes them between
 * the choice and the listen, which can be a minute later (Kafka's JVM, a whole pipeline):
 *
 * - Below the kernel's ephemeral range. Asking the OS for port 0 returns a port from that range,
 *   the same range every outgoing connection (each Kafka client, the JVMs) draws its source port
 *   from, so a port handed out that way can be taken by a client before the service binds it.
 * - Reserved across our processes by a marker file created with O_EXCL, so parallel test workers
 *   and the processes they spawn never pick the same port. Markers go stale after RESERVATION_MS.
 */
const LOWEST = 20_000;
const RESERVATION_MS = 15 * 60_000;
const ATTEMPTS = 200;

let reservationDir: string | undefined;
let range: { low: number; high: number } | null | undefined;

/** Ports below the ephemeral range we may pick from, or null when that range leaves too few. */
function pickRange(): { low: number; high: number } | null {
  if (range !== undefined) return range;
  let ephemeralLow = 32_768;
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    if (low) ephemeralLow = Number(low);
  } catch {
    // Not Linux: keep the IANA-suggested start of the dynamic range.
  }
  range = ephemeralLow - LOWEST >= 1_000 ? { low: LOWEST, high: ephemeralLow - 1 } : null;
  return range;
}

/** True when this process now holds the reservation of `port` among our processes. */
function reserve(port: number): boolean {
  if (reservationDir === undefined) {
    reservationDir = join(tmpdir(), `wattstream-ports-${userInfo().uid}`);
    mkdirSync(reservationDir, { recursive: true });
  }
  const marker = join(reservationDir, String(port));
  if (createMarker(marker)) return true;
  try {
    if (Date.now() - statSync(marker).mtimeMs < RESERVATION_MS) return false;
    // Taking over a stale marker must be atomic too: only one process wins the rename.
    const taken = `${marker}.${process.pid}`;
    renameSync(marker, taken);
    rmSync(taken, { force: true });
  } catch {
    return false;
  }
  return createMarker(marker);
}

function createMarker(path: string): boolean {
  try {
    closeSync(openSync(path, 'wx'));
    return true;
  } catch {
    return false;
  }
}

function osPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen({ port: 0, host }, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** A loopback port that is free now and that no other of our processes will pick for a while. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const r = pickRange();
  if (r) {
    for (let i = 0; i < ATTEMPTS; i++) {
      const port = r.low + Math.floor(Math.random() * (r.high - r.low + 1));
      if ((await isPortFree(port, host)) && reserve(port)) return port;
    }
  }
  // No room below the ephemeral range (or every pick was taken): the race this file avoids is back.
  process.emitWarning('freePort: no reservable port below the ephemeral range; using an OS-assigned one');
  return osPort(host);
}
