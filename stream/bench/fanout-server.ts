// Child process of the fan-out benchmark: the live hub on one transport, no Kafka. Publishes
// rounds of frames (one per channel) as fast as the event loop allows, for the time asked.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { createLogger, loadTokenKeys } from '@wattstream/platform';
import { WatchAccess } from '../src/live/access.js';
import { Hub } from '../src/live/hub.js';
import type { Transport } from '../src/live/transport.js';
import { loadNativeUws, UwsTransport } from '../src/live/transport-uws.js';
import { WsTransport } from '../src/live/transport-ws.js';

const [transportName, dataDir, channelsArg, frameBytesArg] = process.argv.slice(2) as [string, string, string, string];
const channels = Number(channelsArg);
const frameBytes = Number(frameBytesArg);
const logger = createLogger('fanout-bench', 'warn');
const keys = loadTokenKeys(
  { jwtPrivateKey: undefined, jwtPublicKey: undefined, jwtAlg: 'EdDSA', jwtIssuer: 'wattstream' },
  dataDir,
);
const hub = new Hub(
  {
    authTimeoutMs: 60_000,
    maxSubscriptions: 1000,
    historyMs: 60_000,
    softBufferBytes: 256 * 1024,
    maxBufferBytes: 64 * 1024 * 1024,
    slowClientTimeoutMs: 600_000,
    maxMessageBytes: 16 * 1024,
  },
  keys,
  { get: () => undefined },
  new WatchAccess(),
  logger,
);
const opts = { path: '/v1/live', maxPayloadBytes: 16 * 1024, maxBodyBytes: 1024, maxBackpressure: 256 * 1024 * 1024 };
let transport: Transport;
if (transportName === 'uws') {
  const n = loadNativeUws();
  if (!n.ok) throw new Error(n.reason);
  transport = new UwsTransport(n.uws, opts);
} else {
  transport = new WsTransport(opts, 256 * 1024);
}
const nativePublish = transport.publish?.bind(transport);
if (nativePublish) hub.useNativePublish(nativePublish);
const conns = new WeakMap<object, ReturnType<Hub['open']>>();
const port = await transport.listen(
  '127.0.0.1',
  0,
  {
    upgrade: () => ({ ok: true }),
    open: (s, r) => void conns.set(s, hub.open(s, r)),
    message: (s, t) => {
      const c = conns.get(s);
      if (c) hub.message(c, t);
    },
    drain: (s) => {
      const c = conns.get(s);
      if (c) hub.drain(c);
    },
    close: (s) => {
      const c = conns.get(s);
      if (c) hub.close(c);
    },
  },
  () => ({ status: 404 }),
);

// Frames of a fixed size, so the client can count them by bytes as a check. Each carries its
// send time (`sentAt`, epoch ms with a fraction) for clients that measure delivery latency.
const heads: string[] = [];
const names = Array.from({ length: channels }, (_, c) => `athlete:a${c}`);
const pads: string[] = [];
for (let c = 0; c < channels; c++) {
  const head = `{"type":"stats","channel":"athlete:a${c}","seq":1,"data":{"sentAt":`;
  heads.push(head);
  pads.push('x'.repeat(Math.max(0, frameBytes - head.length - 30)));
}
const frameAt = (c: number, sentAt: number) =>
  Buffer.from(`${heads[c]}${sentAt.toFixed(3).padStart(17, '0')},"pad":"${pads[c]}"}}`);
const now = () => performance.timeOrigin + performance.now();

process.send?.({ type: 'ready', port });
process.on('message', (msg: { type: string; durationMs: number; rateHz?: number }) => {
  if (msg.type === 'exit') {
    void transport.close().then(() => process.exit(0));
    return;
  }
  if (msg.type !== 'run') return;
  const profiler = startProfile();
  const t0 = performance.now();
  let rounds = 0;
  // rateHz > 0: one round (a frame on every channel) every 1/rateHz s; else as fast as possible
  const interval = msg.rateHz ? 1000 / msg.rateHz : 0;
  const round = () => {
    const sentAt = now();
    for (let c = 0; c < channels; c++) {
      hub.publish(names[c] as string, rounds, Date.now(), '{}', frameAt(c, sentAt));
    }
    hub.flush();
    rounds++;
    if (performance.now() - t0 < msg.durationMs) {
      if (interval === 0) setImmediate(round);
      else setTimeout(round, Math.max(0, t0 + rounds * interval - performance.now()));
    } else {
      void profiler?.();
      // The parent measures frames at the clients and CPU from /proc; demotions show slow clients.
      process.send?.({ type: 'done', demotions: hub.stats.demotions });
    }
  };
  round();
});

/** With BENCH_PROF_DIR set, profiles the measured window only (not the connection set-up). */
function startProfile(): (() => Promise<void>) | undefined {
  const dir = process.env.BENCH_PROF_DIR;
  if (!dir) return undefined;
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  return () =>
    new Promise((resolve) => {
      session.post('Profiler.stop', (err, result) => {
        const profile = result?.profile;
        if (!err)
          writeFileSync(join(dir, `fanout-${transportName}-${process.pid}.cpuprofile`), JSON.stringify(profile));
        resolve();
      });
    });
}
