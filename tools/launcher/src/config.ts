import { join } from 'node:path';
import { repoRoot } from '@wattstream/infra';
import { DEFAULT_SERVICE_PORTS, duration, int, list, num, path, port, str } from '@wattstream/platform';

/** Settings of `pnpm pipeline up`; the ports are the services' own defaults. */
export const launcherConfig = {
  dataDir: path('DATA_DIR', {
    default: join(repoRoot(), '.data'),
    description: 'state of every service (keys, edge queue, logs, pid files)',
  }),
  services: list('PIPELINE_SERVICES', {
    default: '',
    description:
      'start only these services, comma-separated (e.g. the data path: ingest,sink,stream-worker,live,edge-sim); users always runs, every service verifies tokens against it; empty: all',
  }),
  athletes: int('SIM_ATHLETES', { default: 12, min: 1, max: 10_000, description: 'simulated athletes in the fleet' }),
  mqttPort: port('MQTT_PORT', { default: DEFAULT_SERVICE_PORTS.mqtt, description: 'ingest MQTT (TCP)' }),
  mqttWsPort: port('MQTT_WS_PORT', {
    default: DEFAULT_SERVICE_PORTS.mqttWs,
    description: 'ingest MQTT over WebSocket',
  }),
  ingestHttpPort: port('INGEST_HTTP_PORT', {
    default: DEFAULT_SERVICE_PORTS.ingestHttp,
    description: 'ingest metrics/health',
  }),
  sinkHttpPort: port('SINK_HTTP_PORT', {
    default: DEFAULT_SERVICE_PORTS.sinkHttp,
    description: 'QuestDB sink metrics/health',
  }),
  streamHttpPort: port('STREAM_HTTP_PORT', {
    default: DEFAULT_SERVICE_PORTS.streamHttp,
    description: 'stream worker metrics/health',
  }),
  livePort: port('LIVE_PORT', {
    default: DEFAULT_SERVICE_PORTS.live,
    description: 'live server: WebSocket, dashboard, groups API',
  }),
  liveHttpPort: port('LIVE_HTTP_PORT', {
    default: DEFAULT_SERVICE_PORTS.liveHttp,
    description: 'live server metrics/health',
  }),
  usersPort: port('USERS_PORT', { default: DEFAULT_SERVICE_PORTS.users, description: 'users service (REST, JWKS)' }),
  trainingPort: port('TRAINING_PORT', { default: DEFAULT_SERVICE_PORTS.training, description: 'training service' }),
  trackingPort: port('TRACKING_PORT', { default: DEFAULT_SERVICE_PORTS.tracking, description: 'tracking service' }),
  socialPort: port('SOCIAL_PORT', {
    default: DEFAULT_SERVICE_PORTS.social,
    description: 'social service (follows, privacy, feed, group rides)',
  }),
  notificationsPort: port('NOTIFICATIONS_PORT', {
    default: DEFAULT_SERVICE_PORTS.notifications,
    description: 'notifications service (live, e-mail, webhooks)',
  }),
  mailPort: port('MAIL_PORT', {
    default: 2525,
    description: 'the local SMTP server the main job’s e-mails go to (Maildir under DATA_DIR/run/mail)',
  }),
  mailHttpPort: port('MAIL_HTTP_PORT', { default: 9106, description: 'the local SMTP server’s /readyz' }),
  inventoryPort: port('INVENTORY_PORT', {
    default: DEFAULT_SERVICE_PORTS.inventory,
    description: 'inventory service (gear, reminders, achievements)',
  }),
  webPort: port('WEB_PORT', { default: DEFAULT_SERVICE_PORTS.web, description: "the athlete's pages" }),
  legacyPort: port('LEGACY_PORT', { default: DEFAULT_SERVICE_PORTS.legacy, description: 'the legacy stand-in' }),
  gatewayPort: port('GATEWAY_PORT', {
    default: DEFAULT_SERVICE_PORTS.gateway,
    description: 'API gateway: every public route, /dashboard/, /app/, /live',
  }),

  simPassword: str('SIM_PASSWORD', {
    default: 'ride-with-the-fleet',
    description: "the simulated athletes' password at the users service (sim-0001@fleet.wattstream.local, …)",
  }),
  databasePrefix: str('PIPELINE_DATABASE_PREFIX', {
    default: '',
    description:
      "put in front of each service's database name (e.g. t1_ → t1_users), so several pipelines (tests, benchmarks) share one PostgreSQL",
  }),
  edgeHttpPort: port('EDGE_HTTP_PORT', {
    default: DEFAULT_SERVICE_PORTS.edgeHttp,
    description: 'simulated edge metrics/health',
  }),
  prometheusPort: port('PROMETHEUS_PORT', {
    default: DEFAULT_SERVICE_PORTS.prometheus,
    description: '`up --observe`: Prometheus UI and API',
  }),
  zipkinPort: port('ZIPKIN_PORT', {
    default: DEFAULT_SERVICE_PORTS.zipkin,
    description: '`up --observe`: Zipkin (span intake, API and UI at /zipkin/)',
  }),
  observeTraceRatio: num('OBSERVE_TRACE_RATIO', {
    default: 0.1,
    min: 0,
    max: 1,
    description:
      "`up --observe`: share of the simulated edge's batches traced end to end (OTEL_TRACES_SAMPLER_ARG of every service)",
  }),
  observeInterval: duration('OBSERVE_INTERVAL', {
    default: '5s',
    min: 1000,
    description: '`up --observe`: scrape and rule-evaluation interval',
  }),
  observeAlertFor: str('OBSERVE_ALERT_FOR', {
    default: '',
    pattern: /^(|[0-9]+(ms|s|m|h))$/,
    description:
      '`up --observe`: a short `for` for the SinkLag and TargetDown alerts (e.g. 10s, to see them fire); empty: the rule file as committed',
  }),
};

/** The names of every port setting above: a test or benchmark gives each a free port. */
export const LAUNCHER_PORT_SETTINGS: readonly string[] = Object.values(launcherConfig)
  .map((f) => f.env)
  .filter((env) => env.endsWith('_PORT'));
