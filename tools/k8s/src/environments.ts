import { VERSIONS } from '@wattstream/infra';
import type { Env, PerEnv } from './deployables.js';

/** What differs between the clusters besides the deployables' own replicas and resources. */
export interface EnvSettings {
  namespace: string;
  /** Public host of the gateway (Ingress, TLS certificate). */
  host: string;
  logLevel: string;
  kafka: { brokers: number; storage: string; cpu: string; memory: string; memoryLimit: string };
  /** Replication of every topic, and the writes that must reach that many replicas. */
  replication: { factor: number; minInsync: number };
  postgres: { instances: number; storage: string; cpu: string; memory: string };
  questdb: { storage: string; cpu: string; memory: string; memoryLimit: string };
  /** PodDisruptionBudgets (stage, prod). */
  pdb: boolean;
  /** Spread replicas over nodes as a rule, not a wish (prod). */
  strictSpread: boolean;
}

export const ENV_SETTINGS: PerEnv<EnvSettings> = {
  dev: {
    namespace: 'wattstream-dev',
    host: 'dev.wattstream.example.com',
    logLevel: 'debug',
    kafka: { brokers: 1, storage: '10Gi', cpu: '250m', memory: '1Gi', memoryLimit: '2Gi' },
    replication: { factor: 1, minInsync: 1 },
    postgres: { instances: 1, storage: '1Gi', cpu: '100m', memory: '256Mi' },
    questdb: { storage: '10Gi', cpu: '250m', memory: '1Gi', memoryLimit: '2Gi' },
    pdb: false,
    strictSpread: false,
  },
  stage: {
    namespace: 'wattstream-stage',
    host: 'stage.wattstream.example.com',
    logLevel: 'info',
    kafka: { brokers: 1, storage: '50Gi', cpu: '1', memory: '2Gi', memoryLimit: '4Gi' },
    replication: { factor: 1, minInsync: 1 },
    postgres: { instances: 2, storage: '5Gi', cpu: '250m', memory: '512Mi' },
    questdb: { storage: '50Gi', cpu: '1', memory: '4Gi', memoryLimit: '8Gi' },
    pdb: true,
    strictSpread: false,
  },
  prod: {
    namespace: 'wattstream-prod',
    host: 'wattstream.example.com',
    logLevel: 'info',
    kafka: { brokers: 3, storage: '500Gi', cpu: '4', memory: '8Gi', memoryLimit: '16Gi' },
    replication: { factor: 3, minInsync: 2 },
    postgres: { instances: 3, storage: '20Gi', cpu: '1', memory: '2Gi' },
    questdb: { storage: '2Ti', cpu: '16', memory: '32Gi', memoryLimit: '64Gi' },
    pdb: true,
    strictSpread: true,
  },
};

export const envSettings = (env: Env): EnvSettings => ENV_SETTINGS[env];

/** Names shared by the manifests and the services' settings. */
export const CLUSTER = {
  kafka: 'wattstream',
  kafkaBootstrap: 'wattstream-kafka-bootstrap:9092',
  kafkaVersion: VERSIONS.kafka,
  questdb: 'questdb',
  redis: 'redis',
  // the majors the tests run against (tools/infra/src/versions.ts)
  postgresImage: `ghcr.io/cloudnative-pg/postgresql:${VERSIONS.postgres}`,
  questdbImage: `questdb/questdb:${VERSIONS.questdb}`,
  redisImage: `redis:${VERSIONS.redis}`,
  /** ClusterSecretStore of the external-secrets operator that holds this environment's secrets. */
  secretStore: 'wattstream',
  /** Namespaces of the cluster add-ons whose pods talk to ours. */
  namespaces: {
    monitoring: 'monitoring',
    ingress: 'ingress-nginx',
    keda: 'keda',
    cnpg: 'cnpg-system',
  },
  /** Image names in the bases; the overlays and `pnpm k8s render --tag` point them at the registry. */
  imagePrefix: 'wattstream/',
  registry: 'ghcr.io/wattstream',
  uid: 1000,
} as const;
