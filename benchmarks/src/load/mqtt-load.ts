/**
 * Child process: MQTT 3.1.1 QoS 1 publishers of sample batches (contract v1 `SampleBatch`).
 *
 * - `closed`: each connection keeps `window` publishes in flight (saturation); latency from the
 *   actual send.
 * - `open`: publishes at a fixed total rate on a schedule fixed in advance; publish i goes to
 *   stream i mod S at intended time t0 + i/R, and its latency is measured from that intended time,
 *   so a stalled broker shows up as latency instead of a slower generator (no coordinated
 *   omission). With `timed` payloads the newest sample's `ts` is the intended send time (epoch ms),
 *   which the e2e receiver uses.
 *
 * IPC: parent → `{type:'run', durationMs, warmupMs}` | `{type:'exit'}`; child → `connected`,
 * `tick` (every second), `done`.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { childMain } from '../child.js';
import { fixedSamplesJson, samplesJson } from '../payloads.js';
import { LatencyRecorder, type LatencySummary } from '../stats.js';
import { connectPacket, PacketReader, PINGREQ, publishQos1, topicPart } from './mqtt-wire.js';

export interface MqttConnSpec {
  clientId: string;
  username?: string;
  password?: string;
  /** Topics this connection publishes to (`v1/samples/{athlete}/{device}`), round-robin. */
  topics: string[];
}

export interface MqttLoadConfig {
  url: string;
  connections: MqttConnSpec[];
  samplesPerBatch: number;
  /** Sample `ts` from the (intended) send time, spread over `periodMs`; else a fixed batch. */
  timed: boolean;
  periodMs: number;
  mode: 'closed' | 'open';
  window: number;
  /** open mode: publishes per second over all streams */
  ratePerSec: number;
  /** open mode: epoch ms of publish 0 (default: `run`'s t0, else when `run` arrives) */
  t0?: number;
  /** Every batch carries a sampled W3C `traceparent` of its own trace, as a traced edge sends it. */
  traceparent?: boolean;
}

export interface MqttLoadDone {
  type: 'done';
  sent: number;
  acked: number;
  /** publishes measured (intended after the warm-up, acknowledged before the end) */
  measured: number;
  /** acknowledged after the warm-up: the measured throughput window */
  ackedMeasured: number;
  measuredSeconds: number;
  unacked: number;
  latency: LatencySummary;
  curve: [number, number][];
  t0: number;
}

export type MqttLoadMsg =
  | { type: 'connected' }
  | { type: 'tick'; at: number; sent: number; acked: number }
  | MqttLoadDone
  | { type: 'error'; message: string };

const now = () => performance.timeOrigin + performance.now();

class Conn {
  readonly sock: Socket;
  readonly topics: Buffer[];
  readonly inflight = new Float64Array(65536);
  readonly streamIds: number[];
  nextId = 1;
  open = 0;
  rr = 0;
  private readonly reader = new PacketReader();

  constructor(
    readonly spec: MqttConnSpec,
    url: URL,
    firstStream: number,
    private readonly handlers: { connack: (c: Conn, rc: number) => void; puback: (c: Conn, id: number) => void },
  ) {
    this.topics = spec.topics.map(topicPart);
    this.streamIds = spec.topics.map((_, i) => firstStream + i);
    this.sock = connect(Number(url.port || 1883), url.hostname);
    this.sock.setNoDelay(true);
    this.sock.on('connect', () =>
      this.sock.write(
        connectPacket({
          clientId: spec.clientId,
          ...(spec.username !== undefined ? { username: spec.username } : {}),
          ...(spec.password !== undefined ? { password: spec.password } : {}),
        }),
      ),
    );
    this.sock.on('data', (chunk: Buffer) =>
      this.reader.push(chunk, (p) => {
        if (p.type === 'puback') this.handlers.puback(this, p.packetId);
        else if (p.type === 'connack') this.handlers.connack(this, p.returnCode);
      }),
    );
  }

  takeId(): number {
    const id = this.nextId;
    this.nextId = id === 65535 ? 1 : id + 1;
    return id;
  }
}

childMain(async () => {
  process.on('message', (m: { type: string }) => {
    if (m.type === 'exit') process.exit(0);
  });
  const cfg = await new Promise<MqttLoadConfig>((resolve) =>
    process.once('message', (m: { type: string; config: MqttLoadConfig }) => resolve(m.config)),
  );
  const url = new URL(cfg.url);
  const n = cfg.samplesPerBatch;
  const step = Math.max(1, Math.floor(cfg.periodMs / n));
  // fixed mode: 64 distinct prebuilt batches (only seq changes per publish); timed mode: built per publish
  const fixed = Array.from({ length: 64 }, (_, v) => fixedSamplesJson(v, n, cfg.periodMs));
  // one trace per publish: a random half and a counter, never all zeros (W3C trace-context §3.2.2.3)
  const traceHead = randomBytes(8).toString('hex');
  let traces = 0;
  const trace = () =>
    cfg.traceparent
      ? `,"traceparent":"00-${traceHead}${(++traces).toString(16).padStart(16, '0')}-00f067aa0ba902b7-01"`
      : '';
  const payload = (seq: number, tsNewest: number): Buffer =>
    Buffer.from(
      `{"seq":${seq},"samples":${cfg.timed ? samplesJson(seq, n, step, tsNewest) : fixed[seq % 64]}${trace()}}`,
    );

  let sent = 0;
  let acked = 0;
  let ackedMeasured = 0;
  let measured = 0;
  let connectedCount = 0;
  let running = false;
  let measureFrom = Number.POSITIVE_INFINITY;
  let measureUntil = Number.POSITIVE_INFINITY;
  const latency = new LatencyRecorder();
  const seqs: number[] = [];
  let onConnected: () => void = () => {};
  const allConnected = new Promise<void>((r) => {
    onConnected = r;
  });

  const send = (c: Conn, k: number, intended: number) => {
    const stream = c.streamIds[k] as number;
    const seq = seqs[stream] ?? 0;
    seqs[stream] = seq + 1;
    const id = c.takeId();
    c.inflight[id] = intended;
    c.open++;
    sent++;
    c.sock.write(publishQos1(c.topics[k] as Buffer, id, payload(seq, Math.floor(intended))));
  };
  const pumpClosed = (c: Conn) => {
    while (running && c.open < cfg.window) {
      send(c, c.rr, now());
      c.rr = (c.rr + 1) % c.topics.length;
    }
  };

  let first = 0;
  const conns = cfg.connections.map((spec) => {
    const c = new Conn(spec, url, first, {
      connack: (_c, rc) => {
        if (rc !== 0) {
          process.send?.({ type: 'error', message: `CONNACK return code ${rc} for ${spec.clientId}` });
          return;
        }
        if (++connectedCount === cfg.connections.length) onConnected();
      },
      puback: (cc, id) => {
        const intended = cc.inflight[id] as number;
        cc.open--;
        acked++;
        const t = now();
        if (intended >= measureFrom && intended < measureUntil) {
          latency.recordMs(t - intended);
          measured++;
        }
        if (t >= measureFrom && t < measureUntil) ackedMeasured++;
        if (cfg.mode === 'closed') pumpClosed(cc);
      },
    });
    first += spec.topics.length;
    c.sock.on('error', (err) => {
      if (running) process.send?.({ type: 'error', message: `${spec.clientId}: ${err.message}` });
    });
    c.sock.on('close', () => {
      if (running) process.send?.({ type: 'error', message: `${spec.clientId}: connection closed by the broker` });
    });
    return c;
  });
  await allConnected;
  process.send?.({ type: 'connected' });
  const pings = setInterval(() => {
    for (const c of conns) c.sock.write(PINGREQ);
  }, 20_000);

  const run = await new Promise<{ durationMs: number; warmupMs: number; t0?: number }>((resolve) =>
    process.on('message', (m: { type: string; durationMs: number; warmupMs: number; t0?: number }) => {
      if (m.type === 'run') resolve(m);
    }),
  );
  const t0 = run.t0 ?? cfg.t0 ?? now();
  measureFrom = t0 + run.warmupMs;
  measureUntil = measureFrom + run.durationMs;
  running = true;
  const ticker = setInterval(() => process.send?.({ type: 'tick', at: Date.now(), sent, acked }), 1000);

  // streams in global order, for the open schedule
  const streams: [Conn, number][] = conns.flatMap((c) => c.topics.map((_, k) => [c, k] as [Conn, number]));
  if (cfg.mode === 'closed') {
    for (const c of conns) pumpClosed(c);
    while (now() < measureUntil) await new Promise((r) => setTimeout(r, 50));
  } else {
    const interval = 1000 / cfg.ratePerSec;
    let i = 0;
    while (now() < measureUntil) {
      const due = Math.min(Math.floor((now() - t0) / interval) + 1, Math.ceil((measureUntil - t0) / interval));
      for (; i < due; i++) {
        const [c, k] = streams[i % streams.length] as [Conn, number];
        send(c, k, t0 + i * interval);
      }
      await new Promise((r) => setTimeout(r, 1));
    }
  }
  running = false;
  // let what was sent in the window be acknowledged (bounded)
  const deadline = Date.now() + 10_000;
  while (conns.some((c) => c.open > 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  clearInterval(ticker);
  clearInterval(pings);
  const done: MqttLoadDone = {
    type: 'done',
    sent,
    acked,
    measured,
    ackedMeasured,
    measuredSeconds: run.durationMs / 1000,
    unacked: conns.reduce((a, c) => a + c.open, 0),
    latency: latency.summary(),
    curve: latency.curve(),
    t0,
  };
  process.send?.(done);
  for (const c of conns) c.sock.destroy();
  // stays until the parent sends `exit` (the IPC channel keeps it alive)
});
