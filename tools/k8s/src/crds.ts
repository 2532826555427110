/**
 * Schemas of the custom resources the manifests use — Strimzi (Kafka, KafkaNodePool, KafkaTopic,
 * KafkaUser), CloudNativePG (Cluster), KEDA (ScaledObject), external-secrets (ExternalSecret), the
 * Prometheus Operator (PrometheusRule, PodMonitor).
 * None of these operators publishes its CRDs to a registry this project can reach, so these are
 * OURS: written from each project's documented API for the fields these manifests use (plus the
 * siblings one would reach for next), closed (`additionalProperties: false`) so a misspelt or
 * unsupported field fails validation. They are no substitute for the operators' own CRDs, which
 * the cluster installs with the operators.
 */

type Schema = Record<string, unknown>;

const str = (description?: string): Schema => ({ type: 'string', ...(description ? { description } : {}) });
const int = (minimum?: number): Schema => ({ type: 'integer', ...(minimum !== undefined ? { minimum } : {}) });
const bool: Schema = { type: 'boolean' };
const oneOfStr = (...values: string[]): Schema => ({ type: 'string', enum: values });
const arr = (items: Schema): Schema => ({ type: 'array', items });
const obj = (properties: Record<string, Schema>, required: string[] = []): Schema => ({
  type: 'object',
  properties,
  ...(required.length > 0 ? { required } : {}),
});
const strMap: Schema = { type: 'object', additionalProperties: { type: 'string' } };
/** Kubernetes quantities: "500m", 2, "1Gi". */
const quantity: Schema = { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] };
/** Opaque Kubernetes structures the operators pass through (affinity, pod templates, configs). */
const opaque: Schema = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
const resources = obj({
  requests: { type: 'object', additionalProperties: quantity },
  limits: { type: 'object', additionalProperties: quantity },
});
const labelSelector = obj({ matchLabels: strMap, matchExpressions: arr(opaque) });
const networkPolicyPeers = arr(obj({ podSelector: labelSelector, namespaceSelector: labelSelector, ipBlock: opaque }));

export interface CrdSpec {
  group: string;
  version: string;
  kind: string;
  plural: string;
  scope: 'Namespaced' | 'Cluster';
  /** The project whose documented API the schema follows. */
  source: string;
  spec: Schema;
}

const strimziAcl = obj(
  {
    type: oneOfStr('allow', 'deny'),
    resource: obj(
      {
        type: oneOfStr('topic', 'group', 'cluster', 'transactionalId'),
        name: str(),
        patternType: oneOfStr('literal', 'prefix'),
      },
      ['type'],
    ),
    operations: arr(
      oneOfStr(
        'Read',
        'Write',
        'Create',
        'Delete',
        'Alter',
        'Describe',
        'ClusterAction',
        'AlterConfigs',
        'DescribeConfigs',
        'IdempotentWrite',
        'All',
      ),
    ),
    host: str(),
  },
  ['resource', 'operations'],
);

const PROMETHEUS_OPERATOR =
  'Prometheus Operator 0.8x, monitoring.coreos.com/v1 (prometheus-operator.dev/docs: "API reference")';
/** A Prometheus duration: 30s, 5m, 1h30m. */
const promDuration: Schema = { type: 'string', pattern: '^(0|([0-9]+(ms|s|m|h|d|w|y))+)$' };
const promRule = obj(
  {
    record: str(),
    alert: str(),
    expr: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] },
    for: promDuration,
    keep_firing_for: promDuration,
    labels: strMap,
    annotations: strMap,
  },
  ['expr'],
);

const STRIMZI = 'Strimzi 1.x, kafka.strimzi.io/v1 (strimzi.io/docs: "Custom resource API reference")';

export const CRDS: CrdSpec[] = [
  {
    group: 'monitoring.coreos.com',
    version: 'v1',
    kind: 'PrometheusRule',
    plural: 'prometheusrules',
    scope: 'Namespaced',
    source: PROMETHEUS_OPERATOR,
    spec: obj({
      groups: arr(
        obj(
          {
            name: str(),
            interval: promDuration,
            limit: int(0),
            partial_response_strategy: str(),
            rules: arr(promRule),
          },
          ['name', 'rules'],
        ),
      ),
    }),
  },
  {
    group: 'monitoring.coreos.com',
    version: 'v1',
    kind: 'PodMonitor',
    plural: 'podmonitors',
    scope: 'Namespaced',
    source: PROMETHEUS_OPERATOR,
    spec: obj(
      {
        jobLabel: str(),
        podTargetLabels: arr(str()),
        selector: labelSelector,
        namespaceSelector: obj({ any: bool, matchNames: arr(str()) }),
        podMetricsEndpoints: arr(
          obj({
            port: str(),
            portNumber: int(1),
            path: str(),
            scheme: oneOfStr('http', 'https'),
            interval: promDuration,
            scrapeTimeout: promDuration,
            honorLabels: bool,
            relabelings: arr(opaque),
            metricRelabelings: arr(opaque),
          }),
        ),
        sampleLimit: int(0),
      },
      ['selector'],
    ),
  },
  {
    group: 'kafka.strimzi.io',
    version: 'v1',
    kind: 'Kafka',
    plural: 'kafkas',
    scope: 'Namespaced',
    source: STRIMZI,
    spec: obj(
      {
        kafka: obj(
          {
            version: str(),
            metadataVersion: str(),
            listeners: arr(
              obj(
                {
                  name: { type: 'string', pattern: '^[a-z0-9]{1,11}$' },
                  port: int(9092),
                  type: oneOfStr('internal', 'route', 'loadbalancer', 'nodeport', 'ingress', 'cluster-ip'),
                  tls: bool,
                  authentication: obj({ type: oneOfStr('tls', 'scram-sha-512', 'oauth', 'custom') }, ['type']),
                  configuration: opaque,
                  networkPolicyPeers,
                },
                ['name', 'port', 'type', 'tls'],
              ),
            ),
            authorization: obj({ type: oneOfStr('simple', 'opa', 'keycloak', 'custom'), superUsers: arr(str()) }, [
              'type',
            ]),
            config: opaque,
            rack: obj({ topologyKey: str() }, ['topologyKey']),
            template: opaque,
            metricsConfig: opaque,
          },
          ['listeners'],
        ),
        entityOperator: obj({
          topicOperator: obj({ resources, watchedNamespace: str(), reconciliationIntervalMs: int(0) }),
          userOperator: obj({ resources, watchedNamespace: str(), reconciliationIntervalMs: int(0) }),
          template: opaque,
        }),
        cruiseControl: opaque,
        kafkaExporter: opaque,
      },
      ['kafka'],
    ),
  },
  {
    group: 'kafka.strimzi.io',
    version: 'v1',
    kind: 'KafkaNodePool',
    plural: 'kafkanodepools',
    scope: 'Namespaced',
    source: STRIMZI,
    spec: obj(
      {
        replicas: int(0),
        roles: arr(oneOfStr('controller', 'broker')),
        storage: obj(
          {
            type: oneOfStr('jbod', 'persistent-claim', 'ephemeral'),
            size: str(),
            deleteClaim: bool,
            volumes: arr(
              obj(
                {
                  id: int(0),
                  type: oneOfStr('persistent-claim', 'ephemeral'),
                  size: str(),
                  class: str(),
                  deleteClaim: bool,
                  kraftMetadata: oneOfStr('shared'),
                },
                ['type'],
              ),
            ),
          },
          ['type'],
        ),
        resources,
        jvmOptions: opaque,
        template: opaque,
      },
      ['replicas', 'roles', 'storage'],
    ),
  },
  {
    group: 'kafka.strimzi.io',
    version: 'v1',
    kind: 'KafkaTopic',
    plural: 'kafkatopics',
    scope: 'Namespaced',
    source: STRIMZI,
    spec: obj(
      {
        topicName: str(),
        partitions: int(1),
        replicas: { type: 'integer', minimum: 1, maximum: 32767 },
        config: opaque,
      },
      ['partitions', 'replicas'],
    ),
  },
  {
    group: 'kafka.strimzi.io',
    version: 'v1',
    kind: 'KafkaUser',
    plural: 'kafkausers',
    scope: 'Namespaced',
    source: STRIMZI,
    spec: obj({
      authentication: obj({ type: oneOfStr('tls', 'tls-external', 'scram-sha-512'), password: opaque }, ['type']),
      authorization: obj({ type: oneOfStr('simple'), acls: arr(strimziAcl) }, ['type', 'acls']),
      quotas: opaque,
      template: opaque,
    }),
  },
  {
    group: 'postgresql.cnpg.io',
    version: 'v1',
    kind: 'Cluster',
    plural: 'clusters',
    scope: 'Namespaced',
    source: 'CloudNativePG 1.x, postgresql.cnpg.io/v1 (cloudnative-pg.io/documentation: "API Reference")',
    spec: obj(
      {
        instances: int(1),
        imageName: str(),
        imageCatalogRef: opaque,
        bootstrap: obj({
          initdb: obj({
            database: str(),
            owner: str(),
            secret: obj({ name: str() }, ['name']),
            encoding: str(),
            localeCollate: str(),
            localeCType: str(),
          }),
          recovery: opaque,
          pg_basebackup: opaque,
        }),
        storage: obj({ size: str(), storageClass: str(), resizeInUseVolumes: bool, pvcTemplate: opaque }),
        walStorage: obj({ size: str(), storageClass: str() }),
        resources,
        affinity: obj({
          enablePodAntiAffinity: bool,
          topologyKey: str(),
          podAntiAffinityType: oneOfStr('preferred', 'required'),
          nodeSelector: strMap,
          tolerations: arr(opaque),
        }),
        postgresql: obj({ parameters: strMap, pg_hba: arr(str()), shared_preload_libraries: arr(str()) }),
        primaryUpdateStrategy: oneOfStr('unsupervised', 'supervised'),
        monitoring: obj({ enablePodMonitor: bool }),
        backup: opaque,
        superuserSecret: obj({ name: str() }, ['name']),
        enableSuperuserAccess: bool,
      },
      ['instances'],
    ),
  },
  {
    group: 'keda.sh',
    version: 'v1alpha1',
    kind: 'ScaledObject',
    plural: 'scaledobjects',
    scope: 'Namespaced',
    source: 'KEDA 2.x, keda.sh/v1alpha1 (keda.sh/docs: "ScaledObject specification", "Apache Kafka scaler")',
    spec: obj(
      {
        scaleTargetRef: obj({ apiVersion: str(), kind: str(), name: str(), envSourceContainerName: str() }, ['name']),
        pollingInterval: int(1),
        cooldownPeriod: int(0),
        initialCooldownPeriod: int(0),
        idleReplicaCount: int(0),
        minReplicaCount: int(0),
        maxReplicaCount: int(1),
        fallback: obj({ failureThreshold: int(1), replicas: int(0) }, ['failureThreshold', 'replicas']),
        advanced: obj({
          restoreToOriginalReplicaCount: bool,
          horizontalPodAutoscalerConfig: obj({ name: str(), behavior: opaque }),
          scalingModifiers: opaque,
        }),
        triggers: arr(
          obj(
            {
              type: str(),
              name: str(),
              metricType: oneOfStr('AverageValue', 'Value', 'Utilization'),
              metadata: strMap,
              authenticationRef: obj(
                { name: str(), kind: oneOfStr('TriggerAuthentication', 'ClusterTriggerAuthentication') },
                ['name'],
              ),
              useCachedMetrics: bool,
            },
            ['type', 'metadata'],
          ),
        ),
      },
      ['scaleTargetRef', 'triggers'],
    ),
  },
  {
    group: 'external-secrets.io',
    version: 'v1',
    kind: 'ExternalSecret',
    plural: 'externalsecrets',
    scope: 'Namespaced',
    source: 'External Secrets Operator, external-secrets.io/v1 (external-secrets.io: "ExternalSecret")',
    spec: obj({
      refreshInterval: str(),
      secretStoreRef: obj({ name: str(), kind: oneOfStr('SecretStore', 'ClusterSecretStore') }, ['name']),
      target: obj({
        name: str(),
        creationPolicy: oneOfStr('Owner', 'Orphan', 'Merge', 'None'),
        deletionPolicy: oneOfStr('Retain', 'Delete', 'Merge'),
        template: opaque,
      }),
      data: arr(
        obj(
          {
            secretKey: str(),
            remoteRef: obj(
              {
                key: str(),
                property: str(),
                version: str(),
                decodingStrategy: oneOfStr('Auto', 'Base64', 'Base64URL', 'None'),
              },
              ['key'],
            ),
          },
          ['secretKey', 'remoteRef'],
        ),
      ),
      dataFrom: arr(opaque),
    }),
  },
];

/** The CustomResourceDefinition of one spec (for kubectl-validate --local-crds). */
export function crdOf(c: CrdSpec): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${c.plural}.${c.group}`,
      annotations: { 'wattstream.io/schema': `ours, for the fields wattstream uses; after ${c.source}` },
    },
    spec: {
      group: c.group,
      names: { kind: c.kind, plural: c.plural, singular: c.kind.toLowerCase(), listKind: `${c.kind}List` },
      scope: c.scope,
      versions: [
        {
          name: c.version,
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: obj(
              { apiVersion: str(), kind: str(), metadata: { type: 'object' }, spec: c.spec, status: opaque },
              ['spec'],
            ),
          },
        },
      ],
    },
  };
}

/** A standalone JSON schema of the resource for kubeconform: closed objects unless marked open. */
export function jsonSchemaOf(c: CrdSpec): Record<string, unknown> {
  const close = (s: unknown): unknown => {
    if (Array.isArray(s)) return s.map(close);
    if (typeof s !== 'object' || s === null) return s;
    const o = Object.fromEntries(Object.entries(s).map(([k, v]) => [k, k === 'enum' ? v : close(v)]));
    if (o['x-kubernetes-int-or-string']) return { anyOf: [{ type: 'integer' }, { type: 'string' }] };
    if (o.type === 'object' && o.properties && !('additionalProperties' in o)) o.additionalProperties = false;
    for (const k of Object.keys(o)) if (k.startsWith('x-kubernetes-')) delete o[k];
    return o;
  };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: `${c.kind} (${c.group}/${c.version}) — ours, after ${c.source}`,
    type: 'object',
    additionalProperties: false,
    required: ['apiVersion', 'kind', 'metadata', 'spec'],
    properties: {
      apiVersion: { type: 'string', enum: [`${c.group}/${c.version}`] },
      kind: { type: 'string', enum: [c.kind] },
      metadata: { type: 'object' },
      spec: close(c.spec),
      status: { type: 'object' },
    },
  };
}

/** kubeconform's file name for a resource: `{kind}-{first label of the group}-{version}.json`. */
export const kubeconformFile = (c: CrdSpec): string =>
  `${c.kind.toLowerCase()}-${c.group.split('.')[0]}-${c.version}.json`;
