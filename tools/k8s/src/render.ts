import type { Deployable, Env } from './deployables.js';
import { CLUSTER, envSettings } from './environments.js';
import { deployablePolicy, platformPolicies } from './network.js';
import { observabilityObjects } from './observability.js';
import { platformObjects } from './platform.js';
import type { Resolved } from './resolve.js';
import {
  autoscalerOf,
  configMapOf,
  deploymentOf,
  externalSecretOf,
  type K8sObject,
  pdbOf,
  resourcesOf,
  serviceAccountOf,
  servicesOf,
} from './workload.js';

/** The objects of one environment, grouped by the kustomize base they belong to (a deployable or `platform`). */
export type EnvObjects = Map<string, K8sObject[]>;

export function deployableObjects(d: Deployable, r: Resolved, env: Env, present: readonly Deployable[]): K8sObject[] {
  const s = envSettings(env);
  const deployment = deploymentOf(d, r, env);
  const pod = (deployment.spec as { template: { spec: Record<string, unknown> } }).template.spec;
  const container = (pod.containers as Record<string, unknown>[])[0]!;
  container.resources = resourcesOf(d.resources[env]);
  if (s.strictSpread) {
    pod.affinity = {
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            weight: 100,
            podAffinityTerm: {
              topologyKey: 'kubernetes.io/hostname',
              labelSelector: { matchLabels: { 'app.kubernetes.io/name': d.name } },
            },
          },
        ],
      },
    };
  }
  const scaler = autoscalerOf(d, r, env);
  if (scaler?.kind === 'ScaledObject') {
    const trigger = (scaler.spec as { triggers: { type: string; metadata: Record<string, string> }[] }).triggers[0]!;
    // KEDA resolves the address from its own namespace
    trigger.metadata.bootstrapServers = CLUSTER.kafkaBootstrap.replace(':', `.${s.namespace}.svc:`);
  }
  const config = configMapOf(d, s.logLevel);
  // ingest and stream create their topics when missing: should one start before Strimzi's topic
  // operator, it creates them with the planned partitions, not its default of 6
  const data = config.data as Record<string, string>;
  const partitions = String(r.plans[env].partitions.metricsReceived);
  if (d.package === '@wattstream/ingest' && d.args[0] === 'serve') data.INGEST_TOPIC_PARTITIONS = partitions;
  if (d.package === '@wattstream/stream') data.STREAM_PARTITIONS = partitions;
  return [
    deployment,
    ...servicesOf(d),
    serviceAccountOf(d),
    config,
    deployablePolicy(d, present),
    ...[externalSecretOf(d), scaler].filter((o): o is K8sObject => o !== undefined),
    ...(s.pdb ? [pdbOf(d)] : []),
  ];
}

/** Everything one environment runs, complete (what `kubectl kustomize overlays/<env>` must print). */
export function envObjects(r: Resolved, env: Env): EnvObjects {
  const s = envSettings(env);
  const present = r.deployedIn(env);
  const groups: EnvObjects = new Map();
  const p = platformObjects(s, r.topics[env], present);
  groups.set('platform', [
    ...platformPolicies(present),
    ...p.kafka,
    ...p.topics,
    ...p.users,
    ...p.postgres,
    ...p.questdb,
    ...p.redis,
    ...p.ingress,
    // single replicas (a cache, the time-series store): the budget lets a node drain, one at a time
    ...(s.pdb ? [pdbOf({ name: CLUSTER.questdb }), pdbOf({ name: CLUSTER.redis })] : []),
  ]);
  groups.set('observability', observabilityObjects());
  for (const d of present) groups.set(d.name, deployableObjects(d, r, env, present));
  return groups;
}

export const keyOf = (o: K8sObject): string => `${o.kind}/${String(o.metadata.name)}`;

/** The Namespace of an environment, with the Pod Security Admission labels every pod must pass. */
export function namespaceOf(env: Env): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name: envSettings(env).namespace,
      labels: {
        'app.kubernetes.io/part-of': 'wattstream',
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'v1.32',
        'pod-security.kubernetes.io/audit': 'restricted',
        'pod-security.kubernetes.io/warn': 'restricted',
      },
    },
  };
}
