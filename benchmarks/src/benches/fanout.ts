import type { Benchmark } from '../benchmark.js';
import { Child, distFile } from '../child.js';
import type { BenchContext } from '../context.js';
import type { WsClientsMsg } from '../load/ws-clients.js';
import { procCpuSeconds, procRss, sleep } from '../proc.js';
import { liveToken, scratch } from '../services.js';
import { round, type Series } from '../stats.js';

type Transport = 'uws' | 'ws' | 'socketio';
const TRANSPORTS: Transport[] = ['uws', 'ws', 'socketio'];
const LABEL: Record<Transport, string> = { uws: 'uWebSockets.js', ws: 'ws', socketio: 'socket.io' };
const CHANNELS = 1000;
const PER_SUBSCRIBER = 10;
const FRAME_BYTES = 200;
/** Updates per channel per second in the latency phase: the stream worker's maximum (≤ 4/s). */
const LIVE_HZ = 4;

type ServerMsg =
  | { type: 'ready'; port: number }
  | { type: 'done'; demotions?: number }
  | { type: 'error'; message: string };

interface Case {
  transport: Transport;
  subscribers: number;
  deliveredFramesPerSec: number;
  serverCpuCores: number;
  deliveredPerServerCpuSec: number;
  saturatedP99Ms: number;
  liveP50Ms: number;
  liveP99Ms: number;
  liveFramesPerSec: number;
  liveCpuPctPer1kConns: number;
  rssKbPerConn: number;
  clientCpuCores: number;
  curve: [number, number][];
  /** frames/s delivered over the saturation phase */
  series: Series;
  setupS: number;
}

function startServer(ctx: BenchContext, transport: Transport, dataDir: string): Child<ServerMsg> {
  const pin = ctx.pin('sut');
  const child =
    transport === 'socketio'
      ? new Child<ServerMsg>('socket.io server', distFile('fanout/socketio-server.js'), {
          args: [String(CHANNELS), String(FRAME_BYTES)],
          pin,
        })
      : new Child<ServerMsg>(`${transport} hub`, 'stream/bench/fanout-server.ts', {
          args: [transport, dataDir, String(CHANNELS), String(FRAME_BYTES)],
          nodeArgs: ['--conditions=source', '--import', 'tsx'],
          pin,
        });
  ctx.onCleanup(() => child.stop());
  return child;
}

async function runCase(
  ctx: BenchContext,
  transport: Transport,
  subscribers: number,
  dataDir: string,
  token: string,
): Promise<Case> {
  const phaseMs = Math.max(ctx.smoke ? 500 : 1000, ctx.durationMs / 2);
  const server = startServer(ctx, transport, dataDir);
  const { port } = await server.next('ready', 60_000);
  await sleep(500);
  const rss0 = procRss(server.pid);
  const clients = new Child<WsClientsMsg>(`${subscribers} ${transport} clients`, distFile('load/ws-clients.js'), {
    pin: ctx.pin('load'),
  });
  ctx.onCleanup(() => clients.stop());
  clients.send({
    type: 'config',
    config: {
      port,
      protocol: transport === 'socketio' ? 'socketio' : 'live',
      token,
      subscribers,
      perSubscriber: PER_SUBSCRIBER,
      channels: CHANNELS,
      probeEvery: 50,
    },
  });
  const { setupMs } = await clients.next('ready', 240_000);
  await sleep(1000);
  const rssConn = procRss(server.pid);

  // frames/s over each measured window; the last phase's (saturation) is kept
  const series: Series = { name: LABEL[transport], unit: 'frames/s', points: [] };
  let last = { at: 0, frames: 0 };
  clients.onMessage((m) => {
    if (m.type !== 'tick') return;
    series.points.push([round(m.at / 1000, 1), Math.round(((m.frames - last.frames) * 1000) / (m.at - last.at))]);
    last = m;
  });
  const phase = async (rateHz: number) => {
    last = { at: 0, frames: 0 };
    series.points = [];
    server.send({ type: 'run', durationMs: ctx.warmupMs + phaseMs + 500, rateHz });
    await sleep(ctx.warmupMs);
    const cpu0 = procCpuSeconds(server.pid);
    const t0 = performance.now();
    clients.send({ type: 'measure', durationMs: phaseMs });
    const r = await clients.next('result', phaseMs + 60_000);
    const cpuCores = (procCpuSeconds(server.pid) - cpu0) / ((performance.now() - t0) / 1000);
    const done = await server.next('done', 120_000);
    // the live hub demotes a client that falls behind to latest-frame-per-channel delivery
    if (done.demotions) ctx.log(`${LABEL[transport]}: ${done.demotions} slow-client demotions so far`);
    if (r.closed > 0) throw new Error(`${transport}: ${r.closed} of ${subscribers} clients were disconnected`);
    return { ...r, cpuCores };
  };
  // the paced phase first: what saturation leaves queued (socket.io buffers without bound) must not
  // end up in its latency
  ctx.log(`${LABEL[transport]}, ${subscribers} subscribers: ${LIVE_HZ} updates/s per channel …`);
  const live = await phase(LIVE_HZ);
  ctx.log(`${LABEL[transport]}, ${subscribers} subscribers: saturation …`);
  const sat = await phase(0);
  await clients.stop();
  await server.stop();
  const delivered = sat.frames / sat.seconds;
  const c: Case = {
    transport,
    subscribers,
    deliveredFramesPerSec: Math.round(delivered),
    serverCpuCores: round(sat.cpuCores, 2),
    deliveredPerServerCpuSec: Math.round(delivered / Math.max(0.01, sat.cpuCores)),
    saturatedP99Ms: round(sat.latency.p99, 2),
    liveP50Ms: round(live.latency.p50, 2),
    liveP99Ms: round(live.latency.p99, 2),
    liveFramesPerSec: Math.round(live.frames / live.seconds),
    liveCpuPctPer1kConns: round((live.cpuCores * 100) / (subscribers / 1000), 2),
    rssKbPerConn: round((rssConn - rss0) / 1024 / subscribers, 1),
    clientCpuCores: round(sat.cpuSeconds / sat.seconds, 2),
    curve: live.curve,
    series,
    setupS: round(setupMs / 1000),
  };
  ctx.log(`${LABEL[transport]} ${subscribers}: ${JSON.stringify({ ...c, curve: undefined })}`);
  return c;
}

/**
 * Live fan-out: one server process (the live hub on uWebSockets.js or on ws, or a socket.io
 * server doing the same with rooms) and N raw WebSocket subscribers in another process, each
 * following 10 of 1000 channels. A phase at 4 updates per channel per second (the stream worker's
 * maximum) gives delivery latency and CPU per connection; then saturation gives frames/s delivered.
 */
export const fanout: Benchmark = {
  name: 'fanout',
  description:
    `Frames delivered to N WebSocket subscribers (N = 1,000 and 10,000; each follows ${PER_SUBSCRIBER} of ${CHANNELS} channels; ` +
    `${FRAME_BYTES}-byte stats frames) by the live hub on uWebSockets.js (native), by the hub on \`ws\`, and by a socket.io 4.8 server ` +
    'with rooms; server pinned to core 0, subscribers (raw sockets, one process) to core 1. First ' +
    `${LIVE_HZ} updates per channel per second → delivery latency (now − sentAt on every 50th subscriber), server CPU per 1,000 ` +
    'connections; then saturation (a frame on every channel as fast as the server can) → frames/s delivered. RSS per ' +
    'connection: server RSS with N idle subscribers.',
  async run(ctx) {
    const dataDir = scratch(ctx.scratchDir(), 'fanout');
    const token = await liveToken(dataDir);
    const sizes = ctx.smoke ? [100] : [1000, 10_000];
    const cases: Case[] = [];
    for (const n of sizes) for (const t of TRANSPORTS) cases.push(await runCase(ctx, t, n, dataDir, token));

    const figures: Record<string, number> = {};
    for (const c of cases) {
      const k = `${c.transport}${c.subscribers >= 1000 ? `${c.subscribers / 1000}k` : c.subscribers}`;
      figures[`${k}FramesPerSec`] = c.deliveredFramesPerSec;
      figures[`${k}FramesPerServerCpuSec`] = c.deliveredPerServerCpuSec;
      figures[`${k}ServerCpuCores`] = c.serverCpuCores;
      figures[`${k}SaturatedP99Ms`] = c.saturatedP99Ms;
      figures[`${k}LiveP50Ms`] = c.liveP50Ms;
      figures[`${k}LiveP99Ms`] = c.liveP99Ms;
      figures[`${k}LiveCpuPctPer1kConns`] = c.liveCpuPctPer1kConns;
      figures[`${k}RssKbPerConn`] = c.rssKbPerConn;
      figures[`${k}ClientCpuCores`] = c.clientCpuCores;
    }
    const big = sizes.at(-1)!;
    const get = (t: Transport) => cases.find((c) => c.transport === t && c.subscribers === big)!;
    const bigKey = big >= 1000 ? `${big / 1000}k` : String(big);
    const ratios = {
      uwsToWs: round(get('uws').deliveredFramesPerSec / get('ws').deliveredFramesPerSec, 2),
      uwsToSocketio: round(get('uws').deliveredFramesPerSec / get('socketio').deliveredFramesPerSec, 2),
      uwsToWsPerCpu: round(get('uws').deliveredPerServerCpuSec / get('ws').deliveredPerServerCpuSec, 2),
    };
    return {
      figures,
      ratios,
      targets: [
        {
          name: `uWebSockets.js ≥ 1,000,000 frames/s to ${big.toLocaleString('en-US')} subscribers (issue 5)`,
          figure: `uws${bigKey}FramesPerSec`,
          op: '>=',
          threshold: 1_000_000,
        },
        { name: 'uWebSockets.js ≥ 5× ws (issue 5)', figure: 'uwsToWs', op: '>=', threshold: 5 },
      ],
      charts: [
        ...sizes.map((n) => ({
          kind: 'line' as const,
          title: `Saturation: frames/s delivered to ${n.toLocaleString('en-US')} subscribers`,
          xLabel: 's (measured window)',
          yLabel: 'frames/s',
          series: cases.filter((c) => c.subscribers === n).map((c) => c.series),
        })),
        ...sizes.map((n) => ({
          kind: 'percentile' as const,
          title: `Delivery latency, ${n.toLocaleString('en-US')} subscribers, ${LIVE_HZ} updates/s per channel (${(n * PER_SUBSCRIBER * LIVE_HZ).toLocaleString('en-US')} frames/s)`,
          yLabel: 'ms',
          curves: cases.filter((c) => c.subscribers === n).map((c) => ({ name: LABEL[c.transport], points: c.curve })),
        })),
      ],
      notes: [
        'Saturation figures are what the subscriber process could read; when its CPU (…ClientCpuCores) is near 1 core the ' +
          'server could deliver more: …FramesPerServerCpuSec is the rate per second of server CPU.',
        'socket.io frames carry its event wrapper (`42["stats",…]`, ~12 bytes more); its heartbeats are off for the run.',
      ],
    };
  },
};
