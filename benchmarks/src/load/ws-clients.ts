/**
 * Child process: N WebSocket subscribers on raw TCP sockets (RFC 6455 framing parsed by hand, so
 * one process can read a million frames per second), speaking either the live protocol
 * (`/v1/live`: auth message, one `subscribe` per channel) or socket.io's (engine.io v4 over
 * WebSocket: `40` namespace connect, `42["subscribe",[…]]`). Every client counts the frames it
 * receives; every `probeEvery`-th client also reads each frame's `sentAt` and records
 * now − sentAt (same machine, same clock).
 *
 * IPC: parent → `config`, `measure {durationMs}`; child → `ready`, `result`.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { childMain } from '../child.js';
import { LatencyRecorder, type LatencySummary } from '../stats.js';

export interface WsClientsConfig {
  port: number;
  protocol: 'live' | 'socketio';
  token: string;
  subscribers: number;
  perSubscriber: number;
  channels: number;
  probeEvery: number;
}

export type WsClientsMsg =
  | { type: 'ready'; setupMs: number }
  | { type: 'tick'; at: number; frames: number }
  | {
      type: 'result';
      frames: number;
      seconds: number;
      latency: LatencySummary;
      curve: [number, number][];
      cpuSeconds: number;
      closed: number;
    }
  | { type: 'error'; message: string };

const now = () => performance.timeOrigin + performance.now();

/** A client-to-server text frame: FIN + text, masked as clients must (RFC 6455 §5.3). */
function masked(text: string, opcode = 0x1): Buffer {
  const p = Buffer.from(text);
  const mask = randomBytes(4);
  const hdr =
    p.length < 126
      ? Buffer.from([0x80 | opcode, 0x80 | p.length])
      : Buffer.from([0x80 | opcode, 0xfe, p.length >> 8, p.length & 0xff]);
  for (let i = 0; i < p.length; i++) p[i] = (p[i] as number) ^ (mask[i % 4] as number);
  return Buffer.concat([hdr, mask, p]);
}

const SENT_AT = Buffer.from('"sentAt":');

class Client {
  frames = 0;
  ready = false;
  private handshake = true;
  private head = Buffer.alloc(0);
  private partial: Buffer | null = null;
  private skip = 0;
  /** payload being collected when this frame's bytes are wanted */
  private collecting: Buffer[] | null = null;
  private wantPayload = false;

  constructor(
    readonly sock: Socket,
    private readonly cfg: WsClientsConfig,
    private readonly channels: string[],
    readonly probe: boolean,
    private readonly onReady: () => void,
    private readonly onSentAt: (sentAt: number) => void,
  ) {
    const path = cfg.protocol === 'live' ? '/v1/live' : '/socket.io/?EIO=4&transport=websocket';
    sock.write(
      `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    sock.on('data', (chunk: Buffer) => this.data(chunk));
  }

  private setupFrames(): number {
    return this.cfg.protocol === 'live' ? this.channels.length : 3;
  }

  private onFrame(payload: Buffer | null): void {
    this.frames++;
    if (this.cfg.protocol === 'socketio' && this.frames === 1) this.sock.write(masked('40'));
    if (this.cfg.protocol === 'socketio' && this.frames === 2)
      this.sock.write(masked(`42${JSON.stringify(['subscribe', this.channels])}`));
    if (!this.ready && this.frames >= this.setupFrames()) {
      this.ready = true;
      this.onReady();
    }
    if (payload && this.ready) {
      const i = payload.indexOf(SENT_AT);
      if (i >= 0)
        this.onSentAt(Number.parseFloat(payload.toString('latin1', i + SENT_AT.length, i + SENT_AT.length + 24)));
    }
  }

  private data(chunk: Buffer): void {
    let buf = chunk;
    if (this.handshake) {
      this.head = Buffer.concat([this.head, buf]);
      const end = this.head.indexOf('\r\n\r\n');
      if (end < 0) return;
      this.handshake = false;
      buf = this.head.subarray(end + 4);
      if (this.cfg.protocol === 'live') {
        this.sock.write(masked(JSON.stringify({ type: 'auth', token: this.cfg.token })));
        for (const channel of this.channels) this.sock.write(masked(JSON.stringify({ type: 'subscribe', channel })));
      }
    }
    if (this.partial) {
      buf = Buffer.concat([this.partial, buf]);
      this.partial = null;
    }
    let i = 0;
    while (i < buf.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, buf.length - i);
        if (this.collecting) this.collecting.push(buf.subarray(i, i + n));
        this.skip -= n;
        i += n;
        if (this.skip === 0) this.endFrame();
        continue;
      }
      if (buf.length - i < 2) {
        this.partial = Buffer.from(buf.subarray(i));
        break;
      }
      const b0 = buf[i] as number;
      const len7 = (buf[i + 1] as number) & 0x7f;
      let hl = 2;
      let len = len7;
      if (len7 === 126) {
        if (buf.length - i < 4) {
          this.partial = Buffer.from(buf.subarray(i));
          break;
        }
        len = buf.readUInt16BE(i + 2);
        hl = 4;
      } else if (len7 === 127) {
        if (buf.length - i < 10) {
          this.partial = Buffer.from(buf.subarray(i));
          break;
        }
        len = Number(buf.readBigUInt64BE(i + 2));
        hl = 10;
      }
      i += hl;
      const opcode = b0 & 0x0f;
      if (opcode === 0x9) {
        // ping → pong with the same payload (RFC 6455 §5.5.3); payloads here are tiny
        this.sock.write(masked(buf.toString('latin1', i, Math.min(buf.length, i + len)), 0xa));
      }
      const data = opcode === 0x1 || opcode === 0x2;
      this.wantPayload = data && (this.probe || !this.ready);
      this.collecting = this.wantPayload ? [] : null;
      this.skip = len;
      if (len === 0) this.endFrame(data);
      else this.pendingData = data;
    }
  }

  private pendingData = false;

  private endFrame(data = this.pendingData): void {
    if (!data) {
      this.collecting = null;
      return;
    }
    const payload = this.collecting ? Buffer.concat(this.collecting) : null;
    this.collecting = null;
    this.onFrame(payload);
  }
}

childMain(async () => {
  const cfg = await new Promise<WsClientsConfig>((resolve) =>
    process.once('message', (m: { config: WsClientsConfig }) => resolve(m.config)),
  );
  const t0 = performance.now();
  const latency = { rec: new LatencyRecorder(), on: false };
  let readyCount = 0;
  let closed = 0;
  let allReady: () => void = () => {};
  const ready = new Promise<void>((r) => {
    allReady = r;
  });
  const clients: Client[] = [];
  for (let i = 0; i < cfg.subscribers; i += 500) {
    const batch: Promise<void>[] = [];
    for (let k = i; k < Math.min(cfg.subscribers, i + 500); k++) {
      const subs = Array.from(
        { length: cfg.perSubscriber },
        (_, j) => `athlete:a${(k * cfg.perSubscriber + j) % cfg.channels}`,
      );
      batch.push(
        new Promise<void>((resolve, reject) => {
          const sock = connect(cfg.port, '127.0.0.1');
          sock.setNoDelay(true);
          sock.once('connect', () => {
            clients.push(
              new Client(
                sock,
                cfg,
                subs,
                k % cfg.probeEvery === 0,
                () => {
                  if (++readyCount === cfg.subscribers) allReady();
                },
                (sentAt) => {
                  if (latency.on) latency.rec.recordMs(now() - sentAt);
                },
              ),
            );
            resolve();
          });
          sock.once('error', reject);
          sock.once('close', () => closed++);
        }),
      );
    }
    await Promise.all(batch);
  }
  const timeout = setTimeout(
    () =>
      process.send?.({
        type: 'error',
        message: `only ${readyCount} of ${cfg.subscribers} subscribers ready after 180 s`,
      }),
    180_000,
  );
  await ready;
  clearTimeout(timeout);
  process.send?.({ type: 'ready', setupMs: performance.now() - t0 });

  process.on('message', async (m: { type: string; durationMs: number }) => {
    if (m.type === 'exit') {
      for (const c of clients) c.sock.destroy();
      process.exit(0);
    }
    if (m.type !== 'measure') return;
    const count = () => clients.reduce((a, c) => a + c.frames, 0);
    latency.rec = new LatencyRecorder();
    latency.on = true;
    const f0 = count();
    const c0 = process.cpuUsage();
    const s = performance.now();
    const ticker = setInterval(
      () => process.send?.({ type: 'tick', at: performance.now() - s, frames: count() - f0 }),
      500,
    );
    await new Promise((r) => setTimeout(r, m.durationMs));
    clearInterval(ticker);
    const frames = count() - f0;
    const seconds = (performance.now() - s) / 1000;
    latency.on = false;
    const cpu = process.cpuUsage(c0);
    process.send?.({
      type: 'result',
      frames,
      seconds,
      latency: latency.rec.summary(),
      curve: latency.rec.curve(),
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      closed,
    });
  });
});
