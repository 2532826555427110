import { DEFAULT_SERVICE_PORTS } from '@wattstream/platform';
import type { Deployable, Env, Resources } from './deployables.js';
import { CLUSTER } from './environments.js';
import type { Resolved } from './resolve.js';

export type K8sObject = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: Record<string, unknown>;
};

export const PART_OF = { 'app.kubernetes.io/part-of': 'wattstream' } as const;
export const selectorOf = (name: string) => ({ 'app.kubernetes.io/name': name });
export const labelsOf = (name: string, component: string) => ({
  ...selectorOf(name),
  'app.kubernetes.io/component': component,
  ...PART_OF,
});
/** Pods with this label may open connections to the Kafka listener (Strimzi's networkPolicyPeers). */
export const KAFKA_CLIENT = { 'wattstream.io/kafka-client': 'true' } as const;

export const pgCluster = (d: Pick<Deployable, 'name'>): string => `pg-${d.name}`;
export const secretName = (d: Pick<Deployable, 'name'>): string => `${d.name}-secrets`;
export const imageOf = (d: Pick<Deployable, 'name'>): string => `${CLUSTER.imagePrefix}${d.name}`;

export const resourcesOf = (r: Resources) => ({
  requests: { cpu: r.cpu, memory: r.memory },
  limits: { cpu: r.cpuLimit, memory: r.memoryLimit },
});

/** The container settings the cluster supplies: where the engines are, how to bind, names. */
export function envOf(d: Deployable, logLevel: string): Record<string, string> {
  const env: Record<string, string> = { LOG_LEVEL: logLevel, DATA_DIR: '/tmp/data', NODE_ENV: 'production' };
  env[d.http.env] = String(d.http.port);
  for (const p of d.ports ?? []) env[p.env] = String(p.port);
  if (d.kernel) {
    env.BIND_HOST = '0.0.0.0';
    if (d.name !== 'users') env.AUTH_JWKS_URL = `http://users:${DEFAULT_SERVICE_PORTS.users}/.well-known/jwks.json`;
  }
  if (d.kafka) {
    env.KAFKA_BROKERS = CLUSTER.kafkaBootstrap;
    // Strimzi owns the topics (KafkaTopic CRs rendered from the contracts); nobody creates them ad hoc.
    if (d.kernel) env.KAFKA_CREATE_TOPICS = 'false';
  }
  if (d.questdb?.includes('http')) env.QUESTDB_HTTP = `http://${CLUSTER.questdb}:9000`;
  if (d.questdb?.includes('pg')) env.QUESTDB_PG = `${CLUSTER.questdb}:8812`;
  return { ...env, ...(d.env ?? {}) };
}

const INSTANCE_ENV: Record<string, string> = {
  ingest: 'INGEST_INSTANCE',
  sink: 'INGEST_INSTANCE',
  'stream-worker': 'STREAM_INSTANCE_ID',
  live: 'LIVE_INSTANCE_ID',
};

/** A restricted-PSA pod: non-root with a fixed UID, no privilege escalation, no capabilities, RuntimeDefault seccomp. */
export const podSecurity = (uid: number) => ({
  runAsNonRoot: true,
  runAsUser: uid,
  runAsGroup: uid,
  fsGroup: uid,
  seccompProfile: { type: 'RuntimeDefault' },
});
export const containerSecurity = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
};

export function spreadOf(name: string) {
  return ['topology.kubernetes.io/zone', 'kubernetes.io/hostname'].map((topologyKey) => ({
    maxSkew: 1,
    topologyKey,
    whenUnsatisfiable: 'ScheduleAnyway',
    labelSelector: { matchLabels: selectorOf(name) },
  }));
}

export function deploymentOf(d: Deployable, r: Resolved, env: Env): K8sObject {
  const ports = [d.http, ...(d.ports ?? [])];
  const secretRefs: Record<string, unknown>[] = Object.entries(d.secrets ?? {}).map(([name, key]) => ({
    name,
    valueFrom: { secretKeyRef: { name: secretName(d), key } },
  }));
  if (d.postgres) {
    secretRefs.push({ name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: `${pgCluster(d)}-app`, key: 'uri' } } });
  }
  const instance = INSTANCE_ENV[d.name] ?? (d.kernel ? 'SERVICE_INSTANCE' : undefined);
  const fieldEnv = instance ? [{ name: instance, valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }] : [];
  const probe = (path: string, extra: Record<string, number>) => ({
    httpGet: { path, port: d.http.name },
    timeoutSeconds: 2,
    ...extra,
  });
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: d.name, labels: labelsOf(d.name, d.name) },
    spec: {
      replicas: r.replicasOf(d, env).min,
      revisionHistoryLimit: 5,
      selector: { matchLabels: selectorOf(d.name) },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
      template: {
        metadata: {
          labels: { ...labelsOf(d.name, d.name), ...(d.kafka ? KAFKA_CLIENT : {}) },
          annotations: {
            'prometheus.io/scrape': 'true',
            'prometheus.io/port': String(d.http.port),
            'prometheus.io/path': '/metrics',
          },
        },
        spec: {
          serviceAccountName: d.name,
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          // the kernel's phased shutdown takes up to SHUTDOWN_TIMEOUT (20 s)
          terminationGracePeriodSeconds: 30,
          securityContext: podSecurity(CLUSTER.uid),
          topologySpreadConstraints: spreadOf(d.name),
          containers: [
            {
              name: d.name,
              image: imageOf(d),
              imagePullPolicy: 'IfNotPresent',
              args: [...d.args],
              ports: ports.map((p) => ({ name: p.name, containerPort: p.port, protocol: 'TCP' })),
              envFrom: [{ configMapRef: { name: `${d.name}-config` } }],
              env: [...fieldEnv, ...secretRefs],
              resources: resourcesOf(d.resources.dev),
              securityContext: containerSecurity,
              startupProbe: probe('/healthz', { periodSeconds: 2, failureThreshold: 60 }),
              livenessProbe: probe('/healthz', { periodSeconds: 10, failureThreshold: 3 }),
              readinessProbe: probe('/readyz', { periodSeconds: 5, failureThreshold: 2 }),
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            },
          ],
          volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '256Mi' } }],
        },
      },
    },
  };
}

export function servicesOf(d: Deployable): K8sObject[] {
  const out: K8sObject[] = [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: d.name, labels: labelsOf(d.name, d.name) },
      spec: {
        type: 'ClusterIP',
        selector: selectorOf(d.name),
        ports: [{ name: d.http.name, port: d.http.port, targetPort: d.http.name, protocol: 'TCP' }],
      },
    },
  ];
  if (d.exposure === 'mqtt-loadbalancer') {
    out.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: `${d.name}-mqtt`, labels: labelsOf(d.name, d.name) },
      spec: {
        type: 'LoadBalancer',
        // keeps the edges' addresses (NetworkPolicy, logs) and skips a second hop between nodes
        externalTrafficPolicy: 'Local',
        selector: selectorOf(d.name),
        ports: (d.ports ?? []).map((p) => ({ name: p.name, port: p.port, targetPort: p.name, protocol: 'TCP' })),
      },
    });
  }
  return out;
}

export const serviceAccountOf = (d: Deployable): K8sObject => ({
  apiVersion: 'v1',
  kind: 'ServiceAccount',
  metadata: { name: d.name, labels: labelsOf(d.name, d.name) },
  // no deployable calls the Kubernetes API: no token, no Role
  automountServiceAccountToken: false,
});

export const configMapOf = (d: Deployable, logLevel: string): K8sObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: `${d.name}-config`, labels: labelsOf(d.name, d.name) },
  data: Object.fromEntries(Object.entries(envOf(d, logLevel)).sort(([a], [b]) => a.localeCompare(b))),
});

/** An ExternalSecret (external-secrets.io) that materialises `<name>-secrets` from the store: no value in git. */
export function externalSecretOf(d: Deployable): K8sObject | undefined {
  const keys = [...new Set(Object.values(d.secrets ?? {}))].sort();
  if (keys.length === 0) return undefined;
  return {
    apiVersion: 'external-secrets.io/v1',
    kind: 'ExternalSecret',
    metadata: { name: secretName(d), labels: labelsOf(d.name, d.name) },
    spec: {
      refreshInterval: '1h',
      secretStoreRef: { kind: 'ClusterSecretStore', name: CLUSTER.secretStore },
      target: { name: secretName(d), creationPolicy: 'Owner' },
      data: keys.map((key) => ({ secretKey: key, remoteRef: { key: `wattstream/${d.name}`, property: key } })),
    },
  };
}

export function autoscalerOf(d: Deployable, r: Resolved, env: Env): K8sObject | undefined {
  const a = d.autoscaling;
  if (!a) return undefined;
  const { min, max } = r.replicasOf(d, env);
  const behavior = {
    // a consumer that scales down moves partitions (a rebalance, a state restore): do it slowly
    scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] },
    scaleUp: { stabilizationWindowSeconds: 0, policies: [{ type: 'Percent', value: 100, periodSeconds: 30 }] },
  };
  if (a.kind === 'cpu') {
    return {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: d.name, labels: labelsOf(d.name, d.name) },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: d.name },
        minReplicas: min,
        maxReplicas: max,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: a.cpuTarget } },
          },
        ],
        behavior,
      },
    };
  }
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name: d.name, labels: labelsOf(d.name, d.name) },
    spec: {
      scaleTargetRef: { name: d.name },
      minReplicaCount: min,
      maxReplicaCount: max,
      pollingInterval: 15,
      cooldownPeriod: 300,
      advanced: { horizontalPodAutoscalerConfig: { behavior } },
      triggers: [
        {
          type: 'kafka',
          metadata: {
            bootstrapServers: CLUSTER.kafkaBootstrap,
            consumerGroup: a.group,
            topic: r.topicName(a.topic),
            lagThreshold: String(r.lagPerReplica(d, env)),
            offsetResetPolicy: 'earliest',
            // never more replicas than partitions: an idle consumer only adds rebalances
            allowIdleConsumers: 'false',
          },
        },
        { type: 'cpu', metricType: 'Utilization', metadata: { value: String(a.cpuTarget) } },
      ],
    },
  };
}

export const pdbOf = (d: Pick<Deployable, 'name'>): K8sObject => ({
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  metadata: { name: d.name, labels: labelsOf(d.name, d.name) },
  spec: { maxUnavailable: 1, selector: { matchLabels: selectorOf(d.name) } },
});
