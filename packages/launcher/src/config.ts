import { join } from 'node:path';
import { repoRoot } from '@wattstream/infra';
import { int, path, port } from '@wattstream/platform';

/** Settings of `pnpm pipeline up`; the ports are the services' own defaults. */
export const launcherConfig = {
  dataDir: path('DATA_DIR', {
    default: join(repoRoot(), '.data'),
    description: 'state of every service (keys, edge queue, logs, pid files)',
  }),
  athletes: int('SIM_ATHLETES', { default: 12, min: 1, max: 10_000, description: 'simulated athletes in the fleet' }),
  mqttPort: port('MQTT_PORT', { default: 1883, description: 'ingest MQTT (TCP)' }),
  mqttWsPort: port('MQTT_WS_PORT', { default: 8083, description: 'ingest MQTT over WebSocket' }),
  ingestHttpPort: port('INGEST_HTTP_PORT', { default: 9101, description: 'ingest metrics/health' }),
  sinkHttpPort: port('SINK_HTTP_PORT', { default: 9102, description: 'QuestDB sink metrics/health' }),
  streamHttpPort: port('STREAM_HTTP_PORT', { default: 9103, description: 'stream worker metrics/health' }),
  livePort: port('LIVE_PORT', { default: 8090, description: 'live server: WebSocket, dashboard, groups API' }),
  edgeHttpPort: port('EDGE_HTTP_PORT', { default: 9104, description: 'simulated edge metrics/health' }),
};
