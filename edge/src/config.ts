import { join } from 'node:path';
import { ID_PATTERN } from '@wattstream/contracts';
import {
  bool,
  bytes,
  type ConfigOf,
  DEFAULT_SERVICE_PORTS,
  duration,
  hostnameId,
  int,
  optionalStr,
  port,
  sharedConfig,
  str,
  tracingConfig,
  url,
} from '@wattstream/platform';

/** Every setting of the edge agent (README table: `describeConfig(edgeConfig)`); flags override. */
export const edgeConfig = {
  mqttUrl: url('MQTT_URL', {
    default: `mqtt://127.0.0.1:${DEFAULT_SERVICE_PORTS.mqtt}`,
    protocols: ['mqtt:', 'mqtts:', 'tcp:', 'ssl:', 'ws:', 'wss:'],
    description: 'broker (wattstream ingest) to publish to',
  }),
  edgeId: str('EDGE_ID', {
    default: hostnameId('edge', 'edge-'),
    pattern: ID_PATTERN,
    description: 'this agent’s id: MQTT username, client id, topic segment (default `edge-<hostname>`)',
  }),
  edgeToken: optionalStr(
    'EDGE_TOKEN',
    'MQTT password: the edge JWT from `pnpm ingest token --edge <id> --athlete <id>…`',
  ),
  dataDir: { ...sharedConfig.dataDir, description: 'state: `DATA_DIR/edge/{pairings.json,queue/,status.json}`' },
  logLevel: sharedConfig.logLevel,
  ...tracingConfig,
  bindHost: sharedConfig.bindHost,
  httpPort: port('EDGE_HTTP_PORT', {
    default: DEFAULT_SERVICE_PORTS.edgeHttp,
    allowZero: true,
    description: 'metrics and health endpoint (/metrics, /healthz, /readyz, /status); 0 = any free port',
  }),
  flushInterval: duration('EDGE_FLUSH_INTERVAL', {
    default: '250ms',
    min: 10,
    max: 60_000,
    description: 'how often each device’s samples are batched, queued and published',
  }),
  queueBudget: bytes('EDGE_QUEUE_BUDGET', {
    default: '512MiB',
    min: 64 * 1024,
    description: 'disk budget of the outbound queue; beyond it the oldest batches are dropped',
  }),
  queueFsync: bool('EDGE_QUEUE_FSYNC', {
    default: true,
    description: 'fdatasync the queue before publishing each flush (off only for tmpfs/benchmarks)',
  }),
  inflight: int('EDGE_INFLIGHT', {
    default: 64,
    min: 1,
    max: 65_535,
    description: 'unacknowledged batches on the wire at once',
  }),
  reconnectMax: duration('MQTT_RECONNECT_MAX', {
    default: '15s',
    min: 100,
    description: 'longest wait between broker reconnect attempts (exponential backoff from 500 ms)',
  }),
  bleConnectTimeout: duration('EDGE_BLE_CONNECT_TIMEOUT', {
    default: '10s',
    min: 100,
    description: 'BLE connect / service discovery timeout (noble has none)',
  }),
  staleAfter: duration('EDGE_STALE_AFTER', {
    default: '2s',
    min: 250,
    description: 'cadence/speed read 0 after this long without a new crank/wheel event',
  }),
};
export type EdgeConfig = ConfigOf<typeof edgeConfig>;

/** Where the agent keeps its state: `DATA_DIR/edge/`. */
export const edgePaths = (dataDir: string) => ({
  root: join(dataDir, 'edge'),
  pairings: join(dataDir, 'edge', 'pairings.json'),
  queue: join(dataDir, 'edge', 'queue'),
  status: join(dataDir, 'edge', 'status.json'),
});
