import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { tempDir } from '@wattstream/infra/testing';
import { loadTokenKeys } from '@wattstream/platform';
import { mintUserToken } from '../src/token.js';

export interface FanoutOptions {
  transport: 'uws' | 'ws';
  /** WebSocket clients */
  subscribers?: number;
  /** channels each client follows */
  channelsPerSubscriber?: number;
  /** distinct channels published every round */
  channels?: number;
  /** bytes per frame */
  frameBytes?: number;
  durationMs?: number;
}

export interface FanoutResult {
  transport: string;
  subscribers: number;
  channelsPerSubscriber: number;
  frameBytes: number;
  seconds: number;
  /** frames the server wrote per second */
  serverFramesPerSec: number;
  /** frames the clients received per second (counted by parsing frame headers) */
  deliveredFramesPerSec: number;
  /** server CPU seconds per wall second (≤ 1: one core) */
  serverCpu: number;
  /**
   * delivered frames per second of server CPU: the rate one fully used core would deliver. The
   * clients share the machine's other core, so when they cannot keep up this is the server's figure.
   */
  deliveredPerServerCpuSec: number;
  rounds: number;
  /** clients that fell behind and were moved to the latest-wins path (uWS) */
  demotions: number;
}

/**
 * Live fan-out: one server process (the hub on uWS or ws, no Kafka) publishing one frame per
 * channel per round as fast as it can; N raw-TCP WebSocket clients in this process, each following
 * `channelsPerSubscriber` channels, counting the frames they receive.
 */
export async function benchFanout(o: FanoutOptions): Promise<FanoutResult> {
  const subscribers = o.subscribers ?? 10_000;
  const per = o.channelsPerSubscriber ?? 10;
  const channels = o.channels ?? 1000;
  const frameBytes = o.frameBytes ?? 200;
  const durationMs = o.durationMs ?? 5000;
  const dataDir = tempDir('fanout');
  const keys = loadTokenKeys(
    { jwtPrivateKey: undefined, jwtPublicKey: undefined, jwtAlg: 'EdDSA', jwtIssuer: 'wattstream' },
    dataDir,
  );
  const token = await mintUserToken(keys, { user: 'bench', roles: ['admin'] });

  const child = fork(
    join(import.meta.dirname, 'fanout-server.ts'),
    [o.transport, dataDir, String(channels), String(frameBytes)],
    {
      execArgv: ['--conditions=source', '--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.once('message', (m: { type: string; port: number }) => resolve(m.port));
      child.once('exit', (code) => reject(new Error(`fan-out server exited (${code})`)));
    });
    const counters = { frames: 0 };
    const sockets: Socket[] = [];
    for (let i = 0; i < subscribers; i += 500) {
      const batch = [];
      for (let k = i; k < Math.min(subscribers, i + 500); k++) {
        const subs = Array.from({ length: per }, (_, j) => `athlete:a${(k * per + j) % channels}`);
        batch.push(openClient(port, token, subs, counters));
      }
      sockets.push(...(await Promise.all(batch)));
    }
    // every client has its subscriptions confirmed (one `subscribed` frame each)
    const expected = subscribers * per;
    const deadline = Date.now() + 60_000;
    while (counters.frames < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const before = counters.frames;
    const t0 = performance.now();
    const done = new Promise<{
      rounds: number;
      seconds: number;
      framesSent: number;
      cpuSeconds: number;
      demotions: number;
    }>((resolve) =>
      child.on('message', (m: { type: string }) => {
        if (m.type === 'done') resolve(m as never);
      }),
    );
    child.send({ type: 'run', durationMs });
    const r = await done;
    const seconds = (performance.now() - t0) / 1000;
    const delivered = counters.frames - before;
    for (const s of sockets) s.destroy();
    return {
      transport: o.transport,
      subscribers,
      channelsPerSubscriber: per,
      frameBytes,
      seconds: r.seconds,
      serverFramesPerSec: Math.round(r.framesSent / r.seconds),
      deliveredFramesPerSec: Math.round(delivered / seconds),
      serverCpu: Math.round((r.cpuSeconds / r.seconds) * 100) / 100,
      deliveredPerServerCpuSec: Math.round(delivered / r.cpuSeconds),
      rounds: r.rounds,
      demotions: r.demotions,
    };
  } finally {
    // a clean exit lets a --cpu-prof child write its profile
    const exited = new Promise((r) => child.once('exit', r));
    child.send({ type: 'exit' });
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** A raw WebSocket client: handshake, auth + subscribe, then count server frames (RFC 6455 §5.2). */
async function openClient(
  port: number,
  token: string,
  channels: string[],
  counters: { frames: number },
): Promise<Socket> {
  const sock = connect(port, '127.0.0.1');
  sock.setNoDelay(true);
  await new Promise<void>((resolve, reject) => {
    sock.once('connect', resolve);
    sock.once('error', reject);
  });
  sock.write(
    `GET /v1/live HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  let handshake = true;
  let head = Buffer.alloc(0);
  // frame parser state: bytes of payload left to skip, or a partial header
  let skip = 0;
  let partial: Buffer | null = null;
  sock.on('data', (chunk: Buffer) => {
    let buf = chunk;
    if (handshake) {
      head = Buffer.concat([head, buf]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      handshake = false;
      buf = head.subarray(end + 4);
      for (const m of [{ type: 'auth', token }, ...channels.map((channel) => ({ type: 'subscribe', channel }))]) {
        sock.write(masked(JSON.stringify(m)));
      }
    }
    if (partial) {
      buf = Buffer.concat([partial, buf]);
      partial = null;
    }
    let i = 0;
    while (i < buf.length) {
      if (skip > 0) {
        const n = Math.min(skip, buf.length - i);
        skip -= n;
        i += n;
        continue;
      }
      if (buf.length - i < 2) {
        partial = buf.subarray(i);
        break;
      }
      const len7 = (buf[i + 1] as number) & 0x7f;
      let hl = 2;
      let len = len7;
      if (len7 === 126) {
        if (buf.length - i < 4) {
          partial = buf.subarray(i);
          break;
        }
        len = buf.readUInt16BE(i + 2);
        hl = 4;
      } else if (len7 === 127) {
        if (buf.length - i < 10) {
          partial = buf.subarray(i);
          break;
        }
        len = Number(buf.readBigUInt64BE(i + 2));
        hl = 10;
      }
      counters.frames++;
      i += hl;
      skip = len;
    }
  });
  return sock;
}

function masked(text: string): Buffer {
  const p = Buffer.from(text);
  const mask = randomBytes(4);
  const hdr =
    p.length < 126 ? Buffer.from([0x81, 0x80 | p.length]) : Buffer.from([0x81, 0xfe, p.length >> 8, p.length & 0xff]);
  const body = Buffer.alloc(p.length);
  for (let i = 0; i < p.length; i++) body[i] = (p[i] as number) ^ (mask[i % 4] as number);
  return Buffer.concat([hdr, mask, body]);
}
