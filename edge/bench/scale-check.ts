import { startMosquitto, tempDir } from '@wattstream/infra/testing';
import { createLogger, loadConfig } from '@wattstream/platform';
import { edgeConfig } from '../src/config.js';
import { startSimulatedEdge } from '../src/sim/run.js';

const athletes = Number(process.argv[2] ?? 1000);
const broker = await startMosquitto();
const config = loadConfig(
  edgeConfig,
  {},
  {
    DATA_DIR: tempDir('edge-scale'),
    EDGE_HTTP_PORT: '0',
    MQTT_URL: broker.url,
    EDGE_ID: 'edge-scale',
    LOG_LEVEL: 'warn',
    EDGE_INFLIGHT: process.env.EDGE_INFLIGHT ?? '64',
  },
);
const t0 = Date.now();
const edge = await startSimulatedEdge({
  config,
  logger: createLogger('scale', 'warn'),
  simulation: { athletes, seed: 1, hz: 4 },
  http: false,
});
await edge.ready(180_000);
const readyMs = Date.now() - t0;
const a0 = (await edge.agent.metrics.batchesAcked.get()).values[0]?.value ?? 0;
const c0 = process.cpuUsage();
const w0 = Date.now();
await new Promise((r) => setTimeout(r, 10_000));
const cpu = process.cpuUsage(c0);
const wall = (Date.now() - w0) / 1000;
const acked = ((await edge.agent.metrics.batchesAcked.get()).values[0]?.value ?? 0) - a0;
console.log(
  JSON.stringify({
    athletes,
    sensors: edge.simulation.pairings.length,
    readyMs,
    batchesAckedPerS: Math.round(acked / wall),
    cpuPercentOfOneCore: Math.round(((cpu.user + cpu.system) / 1e6 / wall) * 100),
    queueDepth: edge.agent.queue.depth,
  }),
);
await edge.stop({ drainMs: 2000 });
await broker.destroy();
process.exit(0);
