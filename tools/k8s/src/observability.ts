import { buildDashboard, buildRules, DASHBOARDS } from '@wattstream/observability';
import { stringify } from 'yaml';
import { ENVS } from './deployables.js';
import { CLUSTER, envSettings } from './environments.js';
import { type K8sObject, PART_OF } from './workload.js';

/**
 * What the cluster's monitoring stack needs from each environment, for the Prometheus Operator
 * and Grafana of kube-prometheus-stack (namespace `monitoring`): the alert and recording rules of
 * observability/ as a PrometheusRule, a PodMonitor that scrapes every wattstream pod with the
 * deployable's name as `job` (the main job's convention, which the rules rely on), and each
 * dashboard as a ConfigMap that Grafana's dashboard sidecar loads.
 */

const MONITORING = { ...PART_OF, 'app.kubernetes.io/component': 'monitoring' };

export function prometheusRuleOf(): K8sObject {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: 'wattstream', labels: MONITORING },
    spec: buildRules(),
  };
}

export function podMonitorOf(): K8sObject {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PodMonitor',
    metadata: { name: 'wattstream', labels: MONITORING },
    spec: {
      // job = the pod's app.kubernetes.io/name: ingest, sink, stream-worker, live, …
      jobLabel: 'app.kubernetes.io/name',
      selector: { matchLabels: { ...PART_OF } },
      // a deployable serves /metrics on its `ops` port, or on `http` when it has no separate one
      podMetricsEndpoints: ['ops', 'http'].map((port) => ({ port, path: '/metrics', interval: '15s' })),
    },
  };
}

/** One ConfigMap per dashboard, labelled for the Grafana sidecar (`grafana_dashboard: "1"`). */
export function dashboardConfigMaps(): K8sObject[] {
  return DASHBOARDS.map((d) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: `dashboard-${d.uid}`,
      labels: { ...MONITORING, grafana_dashboard: '1' },
      annotations: { grafana_folder: 'wattstream' },
    },
    data: { [`${d.uid}.json`]: `${JSON.stringify(buildDashboard(d), null, 2)}\n` },
  }));
}

export function observabilityObjects(): K8sObject[] {
  return [prometheusRuleOf(), podMonitorOf(), ...dashboardConfigMaps()];
}

/**
 * Log shipping, once per cluster (`k8s/cluster/logging`): an OpenTelemetry Collector DaemonSet
 * that tails every wattstream pod's log on its node and sends it to Loki over OTLP. Pino lines are
 * JSON: the collector lifts `level`, `time`, `msg`, `trace_id` and `span_id` into the log record, so
 * Loki links a line to its trace. It reads host paths, which the `restricted` Pod Security level of
 * the environments' namespaces forbids, so it runs in its own namespace.
 */
export const LOGGING = {
  namespace: 'wattstream-logging',
  name: 'log-shipper',
  image: 'otel/opentelemetry-collector-contrib:0.165.0',
  loki: `http://loki-gateway.${CLUSTER.namespaces.monitoring}.svc:80/otlp`,
};

/** The collector's configuration (otelcol-contrib 0.165). */
export function collectorConfig(): Record<string, unknown> {
  const namespaces = ENVS.map((e) => envSettings(e).namespace);
  return {
    receivers: {
      filelog: {
        // the kubelet's layout: /var/log/pods/<namespace>_<pod>_<uid>/<container>/<n>.log
        include: namespaces.map((ns) => `/var/log/pods/${ns}_*/*/*.log`),
        exclude: ['/var/log/pods/*/otc-container/*.log'],
        start_at: 'end',
        include_file_path: true,
        include_file_name: false,
        storage: 'file_storage',
        operators: [
          // CRI-O / containerd line: "<time> <stream> <F|P> <log>"; P lines are joined by the container parser
          { type: 'container', id: 'container-parser' },
          {
            type: 'json_parser',
            id: 'pino',
            parse_from: 'body',
            parse_to: 'attributes',
            if: 'body matches "^\\\\{"',
            timestamp: {
              parse_from: 'attributes.time',
              layout_type: 'gotime',
              layout: '2006-01-02T15:04:05.999Z07:00',
            },
            severity: { parse_from: 'attributes.level' },
          },
          {
            type: 'trace_parser',
            if: 'attributes.trace_id != nil',
            trace_id: { parse_from: 'attributes.trace_id' },
            span_id: { parse_from: 'attributes.span_id' },
          },
          { type: 'move', if: 'attributes.msg != nil', from: 'attributes.msg', to: 'body' },
        ],
      },
    },
    processors: {
      memory_limiter: { check_interval: '1s', limit_percentage: 80, spike_limit_percentage: 20 },
      k8sattributes: {
        auth_type: 'serviceAccount',
        filter: { node_from_env_var: 'K8S_NODE_NAME' },
        extract: {
          metadata: ['k8s.namespace.name', 'k8s.pod.name', 'k8s.deployment.name', 'k8s.node.name'],
          labels: [{ tag_name: 'service.name', key: 'app.kubernetes.io/name', from: 'pod' }],
        },
        pod_association: [{ sources: [{ from: 'resource_attribute', name: 'k8s.pod.uid' }] }],
      },
      resource: {
        attributes: [{ key: 'service.namespace', value: 'wattstream', action: 'upsert' }],
      },
      batch: { send_batch_size: 8192, timeout: '2s' },
    },
    exporters: {
      otlphttp: {
        endpoint: LOGGING.loki,
        sending_queue: { enabled: true, queue_size: 5000, storage: 'file_storage' },
        retry_on_failure: { enabled: true, initial_interval: '1s', max_interval: '30s', max_elapsed_time: '10m' },
      },
    },
    extensions: {
      health_check: { endpoint: '0.0.0.0:13133' },
      // file offsets and the unsent queue survive a restart: no line lost or read twice
      file_storage: { directory: '/var/lib/otelcol', create_directory: true },
    },
    service: {
      extensions: ['health_check', 'file_storage'],
      pipelines: {
        logs: {
          receivers: ['filelog'],
          processors: ['memory_limiter', 'k8sattributes', 'resource', 'batch'],
          exporters: ['otlphttp'],
        },
      },
      telemetry: { metrics: { level: 'basic' } },
    },
  };
}

export function logShipperObjects(): K8sObject[] {
  const { namespace, name } = LOGGING;
  const labels = { 'app.kubernetes.io/name': name, ...PART_OF, 'app.kubernetes.io/component': 'logging' };
  const meta = { name, namespace, labels };
  return [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: namespace,
        // host paths (the node's pod logs) are beyond `baseline`: only this namespace is privileged
        labels: { ...PART_OF, 'pod-security.kubernetes.io/enforce': 'privileged' },
      },
    },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta, automountServiceAccountToken: true },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name, labels },
      // k8sattributes: pod, namespace and ReplicaSet metadata to label each line
      rules: [
        { apiGroups: [''], resources: ['pods', 'namespaces'], verbs: ['get', 'list', 'watch'] },
        { apiGroups: ['apps'], resources: ['replicasets'], verbs: ['get', 'list', 'watch'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects: [{ kind: 'ServiceAccount', name, namespace }],
    },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta,
      data: { 'config.yaml': stringify(collectorConfig(), { lineWidth: 0 }) },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: meta,
      spec: {
        selector: { matchLabels: { 'app.kubernetes.io/name': name } },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%' } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: name,
            priorityClassName: 'system-node-critical',
            tolerations: [{ operator: 'Exists' }],
            containers: [
              {
                name: 'otc-container',
                image: LOGGING.image,
                args: ['--config=/conf/config.yaml'],
                env: [{ name: 'K8S_NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
                ports: [{ name: 'health', containerPort: 13133, protocol: 'TCP' }],
                readinessProbe: { httpGet: { path: '/', port: 'health' } },
                livenessProbe: { httpGet: { path: '/', port: 'health' }, periodSeconds: 30 },
                resources: {
                  requests: { cpu: '100m', memory: '128Mi' },
                  limits: { memory: '512Mi' },
                },
                securityContext: {
                  // reads the kubelet's root-owned log files; writes nothing but its offsets
                  runAsUser: 0,
                  readOnlyRootFilesystem: true,
                  allowPrivilegeEscalation: false,
                  capabilities: { drop: ['ALL'], add: ['DAC_READ_SEARCH'] },
                },
                volumeMounts: [
                  { name: 'config', mountPath: '/conf', readOnly: true },
                  { name: 'pod-logs', mountPath: '/var/log/pods', readOnly: true },
                  { name: 'state', mountPath: '/var/lib/otelcol' },
                ],
              },
            ],
            volumes: [
              { name: 'config', configMap: { name } },
              { name: 'pod-logs', hostPath: { path: '/var/log/pods', type: 'Directory' } },
              { name: 'state', hostPath: { path: '/var/lib/wattstream-log-shipper', type: 'DirectoryOrCreate' } },
            ],
          },
        },
      },
    },
  ];
}
