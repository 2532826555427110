import type { KafkaTopicKey } from '@wattstream/contracts';
import { DEFAULT_SERVICE_PORTS } from '@wattstream/platform';

/**
 * Every process that ships to a cluster, in one table. The manifests, the Dockerfiles, the
 * NetworkPolicies, the Kafka users and topics and the capacity plan are all rendered from it
 * (`pnpm k8s write`); a deployable whose package is not in the workspace yet is left out of the
 * render until it lands, so adding a service is its entry here (if missing) and a re-render.
 */

export const ENVS = ['dev', 'stage', 'prod'] as const;
export type Env = (typeof ENVS)[number];

export type PerEnv<T> = Record<Env, T>;

export interface Port {
  /** IANA-style port name (≤ 15 chars), also the Service port name. */
  name: string;
  port: number;
  /** The variable that sets it, so the manifest and the process agree. */
  env: string;
}

/** Requests and limits of one container. Node runs one event loop: a CPU limit above 2 buys little. */
export interface Resources {
  cpu: string;
  memory: string;
  cpuLimit: string;
  memoryLimit: string;
}

export type Autoscaling =
  /** A HorizontalPodAutoscaler on CPU. */
  | { kind: 'cpu'; cpuTarget: number }
  /** A KEDA ScaledObject: consumer lag of `group` on `topic` and CPU. */
  | { kind: 'lag'; cpuTarget: number; topic: KafkaTopicKey; group: string; lagPerReplica: number | 'benchmarks' };

export interface KafkaAccess {
  /** Topics it reads; kernel consumers (`dlq: true`) also write `<topic>.dlq`. */
  consumes: readonly KafkaTopicKey[];
  produces: readonly KafkaTopicKey[];
  /** Consumer-group id prefixes it uses (ACLs are prefix patterns). */
  groups: readonly string[];
  /** Transactional-id prefix, for producers that write in transactions. */
  transactionalId?: string;
  /** Its consumers run on the kernel's consumer runner, which dead-letters to `<topic>.dlq`. */
  dlq?: boolean;
}

export interface Deployable {
  /** Kubernetes name: Deployment, Service, ServiceAccount, image. */
  name: string;
  description: string;
  /** Workspace package and its folder. */
  package: string;
  dir: string;
  /** The package's bin and the arguments of this deployable's command. */
  bin: string;
  args: readonly string[];
  /** The HTTP port that serves `/healthz`, `/readyz` and `/metrics` (and the API, if any). */
  http: Port;
  /** Further listening ports (MQTT). */
  ports?: readonly Port[];
  /** Built on the service kernel: BIND_HOST, AUTH_JWKS_URL, DATABASE_URL, … */
  kernel: boolean;
  postgres?: boolean;
  kafka?: KafkaAccess;
  /** QuestDB endpoints it talks to. */
  questdb?: readonly ('http' | 'pg')[];
  redis?: boolean;
  /** Deployables it calls over HTTP (their `http` port). */
  calls?: readonly string[];
  /**
   * Reaches public addresses on the internet: `true` over HTTPS (443) only; `'any-port'` on any
   * port (user-registered webhook URLs name their own port, an SMTP relay listens on 25/465/587).
   * Private ranges stay closed either way.
   */
  internet?: boolean | 'any-port';
  /** Where its traffic enters from outside the namespace. */
  exposure?: 'mqtt-loadbalancer' | 'ingress';
  /** Environments it is deployed to (default: all). */
  envs?: readonly Env[];
  resources: PerEnv<Resources>;
  /**
   * Replicas (the autoscaler's minimum) and ceiling per environment, or `benchmarks`: derived from
   * the benchmark figures by the capacity plan (capacity.ts).
   */
  replicas: PerEnv<{ min: number; max: number }> | 'benchmarks';
  autoscaling?: Autoscaling;
  /** Plain settings (ConfigMap); secrets are referenced in `secrets`. */
  env?: Readonly<Record<string, string>>;
  /** Settings that come from a Secret: variable → key in the deployable's `<name>-secrets`. */
  secrets?: Readonly<Record<string, string>>;
}

const res = (cpu: string, memory: string, cpuLimit: string, memoryLimit: string): Resources => ({
  cpu,
  memory,
  cpuLimit,
  memoryLimit,
});

/** A small HTTP service: most of the domain services. */
const SMALL: PerEnv<Resources> = {
  dev: res('50m', '128Mi', '500m', '256Mi'),
  stage: res('100m', '192Mi', '1', '384Mi'),
  prod: res('250m', '256Mi', '1', '512Mi'),
};
/** A process on the sample path: one busy Node thread plus GC and libuv threads. */
const STREAMING = (memory: string, memoryLimit: string): PerEnv<Resources> => ({
  dev: res('100m', '192Mi', '1', memoryLimit),
  stage: res('500m', memory, '1', memoryLimit),
  prod: res('1', memory, '2', memoryLimit),
});

const fixed = (dev: number, stage: number, prod: number): PerEnv<{ min: number; max: number }> => ({
  dev: { min: dev, max: dev },
  stage: { min: stage, max: stage },
  prod: { min: prod, max: prod },
});

/** Ceilings of the autoscaled deployables without a benchmark yet (placeholders until measured). */
const UNMEASURED = { dev: { min: 1, max: 2 }, stage: { min: 2, max: 4 }, prod: { min: 3, max: 12 } };

const kernelService = (
  name: string,
  port: number,
  description: string,
  more: Partial<Deployable> & Pick<Deployable, 'replicas'>,
): Deployable => ({
  name,
  description,
  package: `@wattstream/${name}`,
  dir: `services/${name}`,
  bin: name,
  args: ['serve'],
  http: { name: 'http', port, env: `${name.toUpperCase()}_PORT` },
  kernel: true,
  resources: SMALL,
  calls: ['users'],
  ...more,
});

const P = DEFAULT_SERVICE_PORTS;

export const DEPLOYABLES: readonly Deployable[] = [
  {
    name: 'ingest',
    description: 'MQTT endpoint for edges: validated batches into Kafka, PUBACK after Kafka',
    package: '@wattstream/ingest',
    dir: 'ingest',
    bin: 'ingest',
    args: ['serve'],
    http: { name: 'ops', port: P.ingestHttp, env: 'INGEST_HTTP_PORT' },
    ports: [
      { name: 'mqtt', port: P.mqtt, env: 'MQTT_PORT' },
      { name: 'mqtt-ws', port: P.mqttWs, env: 'MQTT_WS_PORT' },
      { name: 'mqtt-tls', port: P.mqttTls, env: 'MQTT_TLS_PORT' },
    ],
    kernel: false,
    kafka: { consumes: [], produces: ['metricsReceived', 'metricsRejected'], groups: [] },
    exposure: 'mqtt-loadbalancer',
    resources: STREAMING('256Mi', '512Mi'),
    replicas: 'benchmarks',
    autoscaling: { kind: 'cpu', cpuTarget: 70 },
    env: { NODE_OPTIONS: '--max-old-space-size=256 --max-semi-space-size=8', KAFKA_MAX_PENDING_BYTES: '48MiB' },
    secrets: { JWT_PUBLIC_KEY: 'jwt-public-key' },
  },
  {
    name: 'sink',
    description: 'Kafka tracking.metrics.received → QuestDB tracking_metrics',
    package: '@wattstream/ingest',
    dir: 'ingest',
    bin: 'ingest',
    args: ['sink'],
    http: { name: 'ops', port: P.sinkHttp, env: 'SINK_HTTP_PORT' },
    kernel: false,
    kafka: { consumes: ['metricsReceived'], produces: [], groups: ['ingest-questdb-sink'] },
    questdb: ['http'],
    resources: STREAMING('384Mi', '768Mi'),
    replicas: 'benchmarks',
    autoscaling: {
      kind: 'lag',
      cpuTarget: 70,
      topic: 'metricsReceived',
      group: 'ingest-questdb-sink',
      lagPerReplica: 'benchmarks',
    },
  },
  {
    name: 'stream-worker',
    description: 'Live statistics and training sessions, exactly once through Kafka transactions',
    package: '@wattstream/stream',
    dir: 'stream',
    bin: 'stream',
    args: ['work'],
    http: { name: 'ops', port: P.streamHttp, env: 'STREAM_HTTP_PORT' },
    kernel: false,
    kafka: {
      consumes: ['metricsReceived', 'profileUpdated', 'athleteState'],
      produces: ['statsUpdated', 'trainingStarted', 'trainingCompleted', 'athleteState'],
      groups: ['stream-'],
      transactionalId: 'stream-worker-p',
    },
    resources: STREAMING('512Mi', '1Gi'),
    replicas: 'benchmarks',
    autoscaling: {
      kind: 'lag',
      cpuTarget: 70,
      topic: 'metricsReceived',
      group: 'stream-worker',
      lagPerReplica: 'benchmarks',
    },
    env: { STREAM_GROUP_ID: 'stream-worker' },
  },
  {
    name: 'live',
    description: 'Live WebSocket server: per-athlete stats and group leaderboards',
    package: '@wattstream/stream',
    dir: 'stream',
    bin: 'stream',
    args: ['live'],
    http: { name: 'http', port: P.live, env: 'LIVE_PORT' },
    kernel: false,
    kafka: {
      consumes: [
        'statsUpdated',
        'profileUpdated',
        'groupUpdated',
        'coachLinkUpdated',
        'followUpdated',
        'privacyUpdated',
        'notificationLive',
      ],
      produces: ['groupUpdated'],
      groups: ['live-'],
    },
    resources: STREAMING('512Mi', '1Gi'),
    replicas: 'benchmarks',
    autoscaling: { kind: 'cpu', cpuTarget: 60 },
    secrets: { JWT_PUBLIC_KEY: 'jwt-public-key' },
  },
  kernelService('users', P.users, 'Accounts, tokens and JWKS, profiles, coach links, edges', {
    postgres: true,
    calls: [],
    kafka: {
      consumes: [],
      produces: ['profileUpdated', 'accountDeleted', 'coachLinkUpdated', 'edgeUpdated', 'contactUpdated'],
      groups: ['users', 'dlq-reader-'],
      dlq: true,
    },
    replicas: fixed(1, 2, 3),
    secrets: { USERS_KEY_SECRET: 'key-secret' },
  }),
  kernelService('training', P.training, 'Workouts, plans and the sessions of athletes', {
    postgres: true,
    kafka: {
      consumes: ['trainingStarted', 'trainingCompleted', 'profileUpdated', 'coachLinkUpdated', 'accountDeleted'],
      produces: ['sessionSummarized', 'workoutAssigned', 'samplesImported'],
      groups: ['training', 'dlq-reader-'],
      dlq: true,
    },
    replicas: fixed(1, 2, 3),
  }),
  kernelService('tracking', P.tracking, 'Recorded rides from QuestDB tracking_metrics', {
    postgres: true,
    questdb: ['http', 'pg'],
    kafka: {
      consumes: [
        'trainingStarted',
        'trainingCompleted',
        'sessionSummarized',
        'samplesImported',
        'coachLinkUpdated',
        'accountDeleted',
      ],
      produces: [],
      groups: ['tracking', 'dlq-reader-'],
      dlq: true,
    },
    replicas: UNMEASURED,
    // History reads, not the topics, are its load: scale on CPU.
    autoscaling: { kind: 'cpu', cpuTarget: 70 },
  }),
  kernelService('social', P.social, 'Follows, privacy, the activity feed, kudos, comments and group rides', {
    postgres: true,
    kafka: {
      consumes: ['trainingStarted', 'sessionSummarized', 'coachLinkUpdated', 'accountDeleted'],
      produces: ['followUpdated', 'privacyUpdated', 'friendActivityUpdated', 'groupUpdated'],
      groups: ['social', 'dlq-reader-'],
      dlq: true,
    },
    replicas: fixed(1, 2, 3),
  }),
  kernelService(
    'notifications',
    P.notifications,
    'Notifications (live, e-mail, signed webhooks) from platform events',
    {
      postgres: true,
      // signed webhooks to the URLs users register, and e-mail through the SMTP relay
      internet: 'any-port',
      kafka: {
        consumes: [
          'friendActivityUpdated',
          'followUpdated',
          'sessionSummarized',
          'workoutAssigned',
          'integrationSyncFailed',
          'gearServiceDue',
          'contactUpdated',
          'accountDeleted',
        ],
        produces: ['notificationLive'],
        groups: ['notifications', 'dlq-reader-'],
        dlq: true,
      },
      replicas: fixed(1, 2, 3),
    },
  ),
  kernelService('inventory', P.inventory, "Users' gear, its usage, service reminders and achievements", {
    postgres: true,
    kafka: {
      consumes: ['sessionSummarized', 'profileUpdated', 'accountDeleted'],
      produces: ['inventoryUpdated', 'gearServiceDue'],
      groups: ['inventory', 'dlq-reader-'],
      dlq: true,
    },
    replicas: fixed(1, 2, 3),
  }),
  kernelService('integrations', P.integrations, 'Sync with third-party training platforms (OAuth)', {
    postgres: true,
    internet: true,
    kafka: {
      consumes: ['trainingCompleted', 'accountDeleted'],
      produces: ['integrationSyncFailed'],
      groups: ['integrations', 'dlq-reader-'],
      dlq: true,
    },
    replicas: UNMEASURED,
    autoscaling: { kind: 'lag', cpuTarget: 70, topic: 'trainingCompleted', group: 'integrations', lagPerReplica: 50 },
  }),
  kernelService('analytics', P.analytics, 'Training load, fitness and fatigue from completed sessions', {
    postgres: true,
    kafka: {
      consumes: ['trainingCompleted', 'profileUpdated', 'accountDeleted'],
      produces: [],
      groups: ['analytics', 'dlq-reader-'],
      dlq: true,
    },
    replicas: UNMEASURED,
    autoscaling: { kind: 'lag', cpuTarget: 70, topic: 'trainingCompleted', group: 'analytics', lagPerReplica: 100 },
  }),
  {
    ...kernelService('provider', P.provider, 'Local OAuth provider that stands in for third parties', {
      replicas: fixed(1, 1, 1),
      calls: [],
    }),
    package: '@wattstream/integrations',
    dir: 'services/integrations',
    bin: 'integrations',
    args: ['provider'],
    envs: ['dev'],
  },
  {
    ...kernelService('legacy', P.legacy, 'Stand-in for the legacy system the platform replaces', {
      postgres: true,
      replicas: fixed(1, 1, 2),
      calls: [],
    }),
    dir: 'legacy',
  },
  {
    name: 'gateway',
    description: 'API gateway: routing, JWT auth, rate limits, the /live WebSocket',
    package: '@wattstream/gateway',
    dir: 'gateway',
    bin: 'gateway',
    args: ['serve'],
    http: { name: 'http', port: P.gateway, env: 'GATEWAY_PORT' },
    kernel: true,
    redis: true,
    calls: [
      'users',
      'training',
      'tracking',
      'social',
      'notifications',
      'inventory',
      'integrations',
      'analytics',
      'legacy',
      'live',
      'web',
    ],
    exposure: 'ingress',
    resources: STREAMING('256Mi', '512Mi'),
    replicas: { dev: { min: 1, max: 2 }, stage: { min: 2, max: 4 }, prod: { min: 3, max: 12 } },
    autoscaling: { kind: 'cpu', cpuTarget: 70 },
    env: { HTTP_TRUST_PROXY: 'true' },
    secrets: { REDIS_URL: 'redis-url' },
  },
  {
    ...kernelService('web', 8111, "The athlete's pages (sessions, charts), reading training and tracking", {
      replicas: fixed(1, 2, 3),
      calls: ['training', 'tracking'],
    }),
    package: '@wattstream/web',
    dir: 'web',
    http: { name: 'http', port: 8111, env: 'WEB_PORT' },
  },
];

export const deployable = (name: string): Deployable => {
  const d = DEPLOYABLES.find((x) => x.name === name);
  if (!d) throw new Error(`unknown deployable ${name}`);
  return d;
};
