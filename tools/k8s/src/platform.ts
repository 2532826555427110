import type { Deployable } from './deployables.js';
import { CLUSTER, type EnvSettings } from './environments.js';
import { aclsOf, type TopicPlan, topicResourceName } from './topics.js';
import {
  containerSecurity,
  type K8sObject,
  KAFKA_CLIENT,
  labelsOf,
  PART_OF,
  pgCluster,
  podSecurity,
  selectorOf,
} from './workload.js';

/**
 * The stateful engines and the cluster-facing objects: Strimzi Kafka (KRaft, node pools, topics
 * from the contracts, one user per deployable), a PostgreSQL cluster per service (CloudNativePG),
 * QuestDB and Redis, and the Ingress of the gateway.
 */

const STRIMZI = 'kafka.strimzi.io/v1';
const strimziLabels = { 'strimzi.io/cluster': CLUSTER.kafka, ...PART_OF };

export function kafkaOf(s: EnvSettings): K8sObject[] {
  const { factor, minInsync } = s.replication;
  return [
    {
      apiVersion: STRIMZI,
      kind: 'Kafka',
      metadata: { name: CLUSTER.kafka, labels: { ...PART_OF } },
      spec: {
        kafka: {
          version: CLUSTER.kafkaVersion,
          listeners: [
            {
              // what the services use today: the platform's Kafka client has no SASL settings yet
              name: 'plain',
              port: 9092,
              type: 'internal',
              tls: false,
              networkPolicyPeers: [
                { podSelector: { matchLabels: KAFKA_CLIENT } },
                { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': CLUSTER.namespaces.keda } } },
              ],
            },
            {
              // the KafkaUsers' listener (SCRAM-SHA-512 over TLS) for clients that authenticate
              name: 'scram',
              port: 9094,
              type: 'internal',
              tls: true,
              authentication: { type: 'scram-sha-512' },
              networkPolicyPeers: [{ podSelector: { matchLabels: KAFKA_CLIENT } }],
            },
          ],
          authorization: { type: 'simple', superUsers: ['ANONYMOUS'] },
          config: {
            'auto.create.topics.enable': false,
            'default.replication.factor': factor,
            'min.insync.replicas': minInsync,
            'offsets.topic.replication.factor': factor,
            'transaction.state.log.replication.factor': factor,
            'transaction.state.log.min.isr': minInsync,
            'share.coordinator.state.topic.replication.factor': factor,
            'share.coordinator.state.topic.min.isr': minInsync,
            'message.max.bytes': 4194304,
          },
        },
        entityOperator: {
          topicOperator: { resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '512Mi' } } },
          userOperator: { resources: { requests: { cpu: '100m', memory: '256Mi' }, limits: { memory: '512Mi' } } },
        },
      },
    },
    {
      apiVersion: STRIMZI,
      kind: 'KafkaNodePool',
      metadata: { name: 'combined', labels: strimziLabels },
      spec: {
        replicas: s.kafka.brokers,
        roles: ['controller', 'broker'],
        storage: {
          type: 'jbod',
          volumes: [
            { id: 0, type: 'persistent-claim', size: s.kafka.storage, deleteClaim: false, kraftMetadata: 'shared' },
          ],
        },
        resources: {
          requests: { cpu: s.kafka.cpu, memory: s.kafka.memory },
          limits: { memory: s.kafka.memoryLimit },
        },
      },
    },
  ];
}

export function topicsOf(topics: readonly TopicPlan[], s: EnvSettings): K8sObject[] {
  return topics.map((t) => ({
    apiVersion: STRIMZI,
    kind: 'KafkaTopic',
    metadata: {
      name: topicResourceName(t.name),
      labels: strimziLabels,
      annotations: {
        'wattstream.io/contract': t.contract.name,
        ...(t.dlq ? { 'wattstream.io/dead-letters-of': t.contract.name } : {}),
      },
    },
    spec: {
      topicName: t.name,
      partitions: t.partitions,
      replicas: s.replication.factor,
      config: { ...t.configs, 'min.insync.replicas': String(s.replication.minInsync) },
    },
  }));
}

export function kafkaUsersOf(present: readonly Deployable[]): K8sObject[] {
  return present
    .filter((d) => d.kafka)
    .map((d) => ({
      apiVersion: STRIMZI,
      kind: 'KafkaUser',
      metadata: { name: d.name, labels: strimziLabels },
      spec: {
        authentication: { type: 'scram-sha-512' },
        authorization: { type: 'simple', acls: aclsOf(d) },
      },
    }));
}

export function postgresOf(present: readonly Deployable[], s: EnvSettings): K8sObject[] {
  return present
    .filter((d) => d.postgres)
    .map((d) => ({
      apiVersion: 'postgresql.cnpg.io/v1',
      kind: 'Cluster',
      metadata: { name: pgCluster(d), labels: labelsOf(pgCluster(d), 'postgres') },
      spec: {
        instances: s.postgres.instances,
        imageName: CLUSTER.postgresImage,
        // database and owner named after the service; CloudNativePG writes `<cluster>-app` (key `uri`)
        bootstrap: { initdb: { database: d.name, owner: d.name } },
        storage: { size: s.postgres.storage },
        resources: {
          requests: { cpu: s.postgres.cpu, memory: s.postgres.memory },
          limits: { memory: s.postgres.memory },
        },
        affinity: { enablePodAntiAffinity: true, topologyKey: 'kubernetes.io/hostname' },
        postgresql: { parameters: { max_connections: '200' } },
      },
    }));
}

const serviceAccount = (name: string): K8sObject => ({
  apiVersion: 'v1',
  kind: 'ServiceAccount',
  metadata: { name, labels: labelsOf(name, name) },
  automountServiceAccountToken: false,
});

export function questdbOf(s: EnvSettings): K8sObject[] {
  const name = CLUSTER.questdb;
  const ports = [
    { name: 'http', containerPort: 9000 },
    { name: 'pg', containerPort: 8812 },
    { name: 'ilp', containerPort: 9009 },
    { name: 'health', containerPort: 9003 },
  ];
  return [
    serviceAccount(name),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, labels: labelsOf(name, 'questdb') },
      spec: {
        selector: selectorOf(name),
        ports: ports.map((p) => ({ name: p.name, port: p.containerPort, targetPort: p.name, protocol: 'TCP' })),
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name, labels: labelsOf(name, 'questdb') },
      spec: {
        serviceName: name,
        replicas: 1,
        selector: { matchLabels: selectorOf(name) },
        template: {
          metadata: {
            labels: labelsOf(name, 'questdb'),
            annotations: {
              'prometheus.io/scrape': 'true',
              'prometheus.io/port': '9003',
              'prometheus.io/path': '/metrics',
            },
          },
          spec: {
            serviceAccountName: name,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            // the image's `questdb` user; the volume is made writable for it through fsGroup
            securityContext: podSecurity(10001),
            containers: [
              {
                name,
                image: CLUSTER.questdbImage,
                ports: ports.map((p) => ({ ...p, protocol: 'TCP' })),
                env: [
                  { name: 'QDB_TELEMETRY_ENABLED', value: 'false' },
                  { name: 'QDB_METRICS_ENABLED', value: 'true' },
                  {
                    name: 'QDB_PG_PASSWORD',
                    valueFrom: { secretKeyRef: { name: 'questdb-secrets', key: 'pg-password' } },
                  },
                ],
                resources: {
                  requests: { cpu: s.questdb.cpu, memory: s.questdb.memory },
                  limits: { memory: s.questdb.memoryLimit },
                },
                securityContext: containerSecurity,
                readinessProbe: { httpGet: { path: '/', port: 'health' }, periodSeconds: 5 },
                livenessProbe: { httpGet: { path: '/', port: 'health' }, periodSeconds: 10, failureThreshold: 6 },
                volumeMounts: [
                  { name: 'data', mountPath: '/var/lib/questdb' },
                  { name: 'tmp', mountPath: '/tmp' },
                ],
              },
            ],
            volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '1Gi' } }],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data' },
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: s.questdb.storage } } },
          },
        ],
      },
    },
    externalSecret('questdb-secrets', 'questdb', ['pg-password']),
  ];
}

export function redisOf(): K8sObject[] {
  const name = CLUSTER.redis;
  return [
    serviceAccount(name),
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, labels: labelsOf(name, 'redis') },
      spec: {
        selector: selectorOf(name),
        ports: [{ name: 'redis', port: 6379, targetPort: 'redis', protocol: 'TCP' }],
      },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, labels: labelsOf(name, 'redis') },
      spec: {
        replicas: 1,
        selector: { matchLabels: selectorOf(name) },
        strategy: { type: 'Recreate' },
        template: {
          metadata: { labels: labelsOf(name, 'redis') },
          spec: {
            serviceAccountName: name,
            automountServiceAccountToken: false,
            enableServiceLinks: false,
            securityContext: podSecurity(999),
            containers: [
              {
                name,
                image: CLUSTER.redisImage,
                // rate limits and caches only: nothing to persist
                args: ['--requirepass', '$(REDIS_PASSWORD)', '--save', '', '--appendonly', 'no'],
                env: [
                  { name: 'REDIS_PASSWORD', valueFrom: { secretKeyRef: { name: 'redis-secrets', key: 'password' } } },
                ],
                ports: [{ name: 'redis', containerPort: 6379, protocol: 'TCP' }],
                resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '1', memory: '512Mi' } },
                securityContext: containerSecurity,
                readinessProbe: { tcpSocket: { port: 'redis' }, periodSeconds: 5 },
                livenessProbe: { tcpSocket: { port: 'redis' }, periodSeconds: 10 },
                volumeMounts: [{ name: 'data', mountPath: '/data' }],
              },
            ],
            volumes: [{ name: 'data', emptyDir: { sizeLimit: '256Mi' } }],
          },
        },
      },
    },
    externalSecret('redis-secrets', 'redis', ['password']),
  ];
}

function externalSecret(name: string, owner: string, keys: string[]): K8sObject {
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name, labels: labelsOf(owner, owner) },
    spec: {
      refreshInterval: '1h',
      secretStoreRef: { kind: 'ClusterSecretStore', name: CLUSTER.secretStore },
      target: { name, creationPolicy: 'Owner' },
      data: keys.map((key) => ({ secretKey: key, remoteRef: { key: `wattstream/${owner}`, property: key } })),
    },
  };
}

/**
 * The public entrance: the gateway over TLS, and its `/live` WebSocket path with timeouts long
 * enough for a ride (ingress-nginx annotations; other controllers have their own).
 */
export function ingressOf(s: EnvSettings): K8sObject[] {
  const gateway = { name: 'gateway', port: { name: 'http' } };
  const base = (name: string, path: string, annotations: Record<string, string>): K8sObject => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name,
      labels: labelsOf('gateway', 'ingress'),
      annotations: { 'cert-manager.io/cluster-issuer': 'letsencrypt', ...annotations },
    },
    spec: {
      ingressClassName: 'nginx',
      tls: [{ hosts: [s.host], secretName: 'wattstream-tls' }],
      rules: [{ host: s.host, http: { paths: [{ path, pathType: 'Prefix', backend: { service: gateway } }] } }],
    },
  });
  return [
    base('wattstream', '/', { 'nginx.ingress.kubernetes.io/proxy-body-size': '1m' }),
    base('wattstream-live', '/live', {
      'nginx.ingress.kubernetes.io/proxy-read-timeout': '3600',
      'nginx.ingress.kubernetes.io/proxy-send-timeout': '3600',
      'nginx.ingress.kubernetes.io/proxy-buffering': 'off',
    }),
  ];
}

export function platformObjects(s: EnvSettings, topics: readonly TopicPlan[], present: readonly Deployable[]) {
  return {
    kafka: kafkaOf(s),
    topics: topicsOf(topics, s),
    users: kafkaUsersOf(present),
    postgres: postgresOf(present, s),
    questdb: questdbOf(s),
    redis: redisOf(),
    ingress: ingressOf(s),
  };
}
