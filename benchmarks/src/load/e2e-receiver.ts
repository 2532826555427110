/**
 * Child process: the browser end of the end-to-end benchmark. WebSocket clients (`ws`, ≤ 200
 * channels each, the live server's default limit) follow every athlete the publishers ride for,
 * and time what they see against the publishers' schedule:
 *
 * - publish i of the schedule goes to athlete i mod S at t0 + i·(1000/R) ms, and its newest
 *   sample's `ts` is that time (floored to the ms) — the load generator uses the same formula;
 * - a `stats` frame for an athlete carries `ts` = the newest sample applied. Every batch of that
 *   athlete with a send time ≤ that ts and not yet seen becomes visible with this frame:
 *   **visibility latency** = receive time − send time, per batch (all its samples at once);
 * - **frame age** = receive time − ts, per frame: how old the newest value on screen is.
 *
 * Only batches sent inside the measured window count. Receive times and send times come from the
 * same machine clock (`performance.timeOrigin + performance.now()` in both processes).
 *
 * IPC: parent → `config`; child → `ready`, `tick`, `result`.
 */
import WebSocket from 'ws';
import { childMain } from '../child.js';
import { LatencyRecorder, type LatencySummary } from '../stats.js';

export interface E2eReceiverConfig {
  url: string;
  token: string;
  athletes: string[];
  publishesPerSec: number;
  /** seconds after `until` to wait for the last frames */
  graceS: number;
  /** keep per-window p99s for an over-time plot */
  windowS: number;
}

/** Sent after `ready`: the publishers' schedule and the measured window of send times [from, until). */
export interface E2eSchedule {
  t0: number;
  from: number;
  until: number;
}

export type E2eReceiverMsg =
  | { type: 'ready' }
  | { type: 'tick'; at: number; frames: number; windowP99Ms: number; windowCount: number }
  | {
      type: 'result';
      visibility: LatencySummary;
      visibilityCurve: [number, number][];
      frameAge: LatencySummary;
      frameAgeCurve: [number, number][];
      frames: number;
      framesInWindow: number;
      batchesExpected: number;
      batchesSeen: number;
      closed: number;
    }
  | { type: 'error'; message: string };

const now = () => performance.timeOrigin + performance.now();

childMain(async () => {
  const cfg = await new Promise<E2eReceiverConfig>((resolve) =>
    process.once('message', (m: { config: E2eReceiverConfig }) => resolve(m.config)),
  );
  const S = cfg.athletes.length;
  const interval = 1000 / cfg.publishesPerSec;
  const index = new Map(cfg.athletes.map((a, i) => [`athlete:${a}`, i]));
  /** next batch number k (publish k·S + s) not yet seen, per athlete */
  const next = new Array<number>(S).fill(0);
  const sched: E2eSchedule = { t0: Number.POSITIVE_INFINITY, from: 0, until: 0 };
  const sendTime = (s: number, k: number) => sched.t0 + (k * S + s) * interval;
  const visibility = new LatencyRecorder();
  const frameAge = new LatencyRecorder();
  let windowRec = new LatencyRecorder();
  let frames = 0;
  let framesInWindow = 0;
  let closed = 0;
  let stopping = false;

  const onFrame = (text: string) => {
    const t = now();
    // cheap pre-check: only stats frames are parsed
    if (!text.startsWith('{"type":"stats"')) return;
    const msg = JSON.parse(text) as { channel: string; data: { ts: number } };
    frames++;
    const s = index.get(msg.channel);
    if (s === undefined) return;
    const ts = msg.data.ts;
    if (ts < sched.t0) return; // the simulated fleet's or older stats
    if (ts >= sched.from && ts < sched.until) {
      frameAge.recordMs(t - ts);
      framesInWindow++;
    }
    let k = next[s] as number;
    for (; Math.floor(sendTime(s, k)) <= ts; k++) {
      const sent = sendTime(s, k);
      if (sent >= sched.from && sent < sched.until) {
        visibility.recordMs(t - sent);
        windowRec.recordMs(t - sent);
      }
    }
    next[s] = k;
  };

  const sockets: WebSocket[] = [];
  for (let i = 0; i < S; i += 200) {
    const channels = cfg.athletes.slice(i, i + 200).map((a) => `athlete:${a}`);
    const ws = new WebSocket(`${cfg.url}?access_token=${encodeURIComponent(cfg.token)}`, { perMessageDeflate: false });
    sockets.push(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    let pending = channels.length;
    const subscribed = new Promise<void>((resolve) => {
      ws.on('message', (data: Buffer) => {
        const text = data.toString('utf8');
        if (pending > 0 && text.startsWith('{"type":"subscribed"') && --pending === 0) resolve();
        else if (text.startsWith('{"type":"error"')) process.send?.({ type: 'error', message: `live server: ${text}` });
        else onFrame(text);
      });
    });
    ws.on('close', () => {
      closed++;
      if (!stopping) process.send?.({ type: 'error', message: 'the live server closed a WebSocket' });
    });
    // the live hub holds at most 32 messages while it checks the token: one subscription first,
    // the rest once it is confirmed (authenticated)
    const first = channels[0] as string;
    ws.send(JSON.stringify({ type: 'subscribe', channel: first }));
    const deadline = Date.now() + 30_000;
    while (pending === channels.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    if (pending === channels.length) throw new Error(`no "subscribed" for ${first} within 30 s`);
    for (const channel of channels.slice(1)) ws.send(JSON.stringify({ type: 'subscribe', channel }));
    await subscribed;
  }
  const schedule = new Promise<E2eSchedule>((resolve) =>
    process.on('message', (m: { type: string; schedule: E2eSchedule }) => {
      if (m.type === 'schedule') resolve(m.schedule);
    }),
  );
  process.send?.({ type: 'ready' });
  Object.assign(sched, await schedule);

  const ticker = setInterval(() => {
    const s = windowRec.summary();
    process.send?.({ type: 'tick', at: now(), frames, windowP99Ms: s.p99, windowCount: s.count });
    windowRec = new LatencyRecorder();
  }, cfg.windowS * 1000);
  while (now() < sched.until + cfg.graceS * 1000) await new Promise((r) => setTimeout(r, 200));
  clearInterval(ticker);
  stopping = true;
  let batchesExpected = 0;
  let batchesSeen = 0;
  for (let s = 0; s < S; s++) {
    for (let k = 0; sendTime(s, k) < sched.until; k++) {
      if (sendTime(s, k) < sched.from) continue;
      batchesExpected++;
      if (k < (next[s] as number)) batchesSeen++;
    }
  }
  for (const ws of sockets) ws.terminate();
  process.send?.({
    type: 'result',
    visibility: visibility.summary(),
    visibilityCurve: visibility.curve(),
    frameAge: frameAge.summary(),
    frameAgeCurve: frameAge.curve(),
    frames,
    framesInWindow,
    batchesExpected,
    batchesSeen,
    closed,
  });
});
