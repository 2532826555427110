/**
 * Child process: the socket.io peer of the fan-out benchmark, doing what the live hub does with
 * socket.io's own means: a client emits `subscribe` with its channels and joins one room per
 * channel; a round emits one `stats` event per channel to its room (`io.to(room).emit`, encoded
 * once per broadcast, pre-framed for WebSocket by engine.io). Same frame content as the live
 * hub's (`{type, channel, seq, data: {sentAt, pad}}`), same IPC protocol as
 * `stream/bench/fanout-server.ts`: `ready {port}`, `run {durationMs, rateHz}` → `done`, `exit`.
 *
 * argv: <channels> <frameBytes>
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { childMain } from '../child.js';

childMain(async () => {
  const channels = Number(process.argv[2] ?? 1000);
  const frameBytes = Number(process.argv[3] ?? 200);
  const http = createServer();
  const io = new Server(http, {
    transports: ['websocket'],
    perMessageDeflate: false,
    serveClient: false,
    // no heartbeats during a bench: the raw clients do not answer engine.io pings
    pingInterval: 600_000,
    pingTimeout: 600_000,
    maxHttpBufferSize: 16 * 1024,
  });
  io.on('connection', (socket) => {
    socket.on('subscribe', (list: unknown) => {
      const names = Array.isArray(list) ? list.filter((c): c is string => typeof c === 'string').slice(0, 1000) : [];
      void socket.join(names);
      socket.emit('subscribed', names.length);
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const port = (http.address() as AddressInfo).port;

  const pads: string[] = [];
  const rooms = Array.from({ length: channels }, (_, c) => `athlete:a${c}`);
  for (let c = 0; c < channels; c++) {
    const size = JSON.stringify({
      type: 'stats',
      channel: `athlete:a${c}`,
      seq: 1,
      data: { sentAt: 1764000000000.123, pad: '' },
    }).length;
    pads.push('x'.repeat(Math.max(0, frameBytes - size)));
  }
  const now = () => performance.timeOrigin + performance.now();

  process.send?.({ type: 'ready', port });
  process.on('message', (msg: { type: string; durationMs: number; rateHz?: number }) => {
    if (msg.type === 'exit') {
      io.close();
      process.exit(0);
    }
    if (msg.type !== 'run') return;
    const t0 = performance.now();
    const interval = msg.rateHz ? 1000 / msg.rateHz : 0;
    let rounds = 0;
    const round = () => {
      const sentAt = now();
      for (let c = 0; c < channels; c++) {
        const room = rooms[c] as string;
        io.to(room).emit('stats', { type: 'stats', channel: room, seq: rounds, data: { sentAt, pad: pads[c] } });
      }
      rounds++;
      if (performance.now() - t0 < msg.durationMs) {
        if (interval === 0) setImmediate(round);
        else setTimeout(round, Math.max(0, t0 + rounds * interval - performance.now()));
      } else {
        // The parent measures frames at the clients and CPU from /proc: nothing is counted here.
        process.send?.({ type: 'done' });
      }
    };
    round();
  });
});
