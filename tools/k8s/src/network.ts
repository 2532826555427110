import type { Deployable } from './deployables.js';
import { CLUSTER } from './environments.js';
import { type K8sObject, PART_OF, pgCluster, selectorOf } from './workload.js';

/**
 * NetworkPolicies: everything is denied, then each flow of the architecture is allowed by the
 * policy of the pod it enters and the policy of the pod it leaves (both sides, so neither policy
 * alone opens a path).
 */

const tcp = (port: number | string) => ({ protocol: 'TCP', port });
const inNamespace = (ns: string) => ({ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } });
const pods = (labels: Record<string, string>) => ({ podSelector: { matchLabels: labels } });

export const KAFKA_BROKER_PODS = { 'strimzi.io/cluster': CLUSTER.kafka, 'strimzi.io/broker-role': 'true' };
const STRIMZI_PODS = { 'strimzi.io/cluster': CLUSTER.kafka };
export const QUESTDB_PODS = selectorOf(CLUSTER.questdb);
export const REDIS_PODS = selectorOf(CLUSTER.redis);
const PG_PODS = (cluster: string) => ({ 'cnpg.io/cluster': cluster });
/** The Kubernetes API server: its address is the cluster's own, so only its ports can be named. */
const API_SERVER = [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }], ports: [tcp(443), tcp(6443)] }];
const PRIVATE = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16', '100.64.0.0/10'];

const policy = (
  name: string,
  podSelector: Record<string, string>,
  spec: { ingress?: unknown[]; egress?: unknown[] },
): K8sObject => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, labels: { ...PART_OF } },
  spec: {
    podSelector: { matchLabels: podSelector },
    policyTypes: [...(spec.ingress ? ['Ingress'] : []), ...(spec.egress ? ['Egress'] : [])],
    ...spec,
  },
});

/** The policy of one deployable: who may reach it, and what it may reach. */
export function deployablePolicy(d: Deployable, present: readonly Deployable[]): K8sObject {
  const callers = present.filter((c) => c.calls?.includes(d.name));
  const ingress: unknown[] = [
    // Prometheus scrapes /metrics on the HTTP port
    {
      from: [{ ...inNamespace(CLUSTER.namespaces.monitoring), ...pods({ 'app.kubernetes.io/name': 'prometheus' }) }],
      ports: [tcp(d.http.port)],
    },
  ];
  if (callers.length > 0) {
    ingress.push({ from: callers.map((c) => pods(selectorOf(c.name))), ports: [tcp(d.http.port)] });
  }
  if (d.exposure === 'ingress') {
    ingress.push({ from: [inNamespace(CLUSTER.namespaces.ingress)], ports: [tcp(d.http.port)] });
  }
  if (d.exposure === 'mqtt-loadbalancer') {
    // edges connect from anywhere on the internet through the LoadBalancer
    ingress.push({
      from: [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }],
      ports: (d.ports ?? []).map((p) => tcp(p.port)),
    });
  }
  const egress: unknown[] = [];
  if (d.kafka) egress.push({ to: [pods(KAFKA_BROKER_PODS)], ports: [tcp(9092)] });
  if (d.postgres) egress.push({ to: [pods(PG_PODS(pgCluster(d)))], ports: [tcp(5432)] });
  if (d.questdb) {
    egress.push({ to: [pods(QUESTDB_PODS)], ports: d.questdb.map((e) => tcp(e === 'http' ? 9000 : 8812)) });
  }
  if (d.redis) egress.push({ to: [pods(REDIS_PODS)], ports: [tcp(6379)] });
  for (const name of d.calls ?? []) {
    const callee = present.find((c) => c.name === name);
    if (callee) egress.push({ to: [pods(selectorOf(callee.name))], ports: [tcp(callee.http.port)] });
  }
  if (d.internet) {
    const publicAddresses = { to: [{ ipBlock: { cidr: '0.0.0.0/0', except: PRIVATE } }] };
    egress.push(d.internet === 'any-port' ? publicAddresses : { ...publicAddresses, ports: [tcp(443)] });
  }
  return policy(d.name, selectorOf(d.name), { ingress, egress });
}

/** The namespace-wide policies and those of the engines (QuestDB, Redis, PostgreSQL, Kafka). */
export function platformPolicies(present: readonly Deployable[]): K8sObject[] {
  const prometheus = {
    ...inNamespace(CLUSTER.namespaces.monitoring),
    ...pods({ 'app.kubernetes.io/name': 'prometheus' }),
  };
  const out: K8sObject[] = [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'default-deny', labels: { ...PART_OF } },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'allow-dns', labels: { ...PART_OF } },
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          {
            to: [{ ...inNamespace('kube-system'), ...pods({ 'k8s-app': 'kube-dns' }) }],
            ports: [
              { protocol: 'UDP', port: 53 },
              { protocol: 'TCP', port: 53 },
            ],
          },
        ],
      },
    },
  ];
  const questdbClients = present.filter((d) => d.questdb);
  out.push(
    policy(CLUSTER.questdb, QUESTDB_PODS, {
      ingress: [
        ...questdbClients.map((d) => ({
          from: [pods(selectorOf(d.name))],
          ports: d.questdb!.map((e) => tcp(e === 'http' ? 9000 : 8812)),
        })),
        { from: [prometheus], ports: [tcp(9003)] },
      ],
      egress: [],
    }),
  );
  const redisClients = present.filter((d) => d.redis);
  out.push(
    policy(CLUSTER.redis, REDIS_PODS, {
      ingress:
        redisClients.length > 0
          ? [{ from: redisClients.map((d) => pods(selectorOf(d.name))), ports: [tcp(6379)] }]
          : [],
      egress: [],
    }),
  );
  for (const d of present.filter((x) => x.postgres)) {
    const cluster = pgCluster(d);
    out.push(
      policy(cluster, PG_PODS(cluster), {
        ingress: [
          { from: [pods(selectorOf(d.name))], ports: [tcp(5432)] },
          // replication between the instances, and the operator's status checks
          { from: [pods(PG_PODS(cluster))], ports: [tcp(5432), tcp(8000)] },
          { from: [inNamespace(CLUSTER.namespaces.cnpg)], ports: [tcp(5432), tcp(8000)] },
          { from: [prometheus], ports: [tcp(9187)] },
        ],
        egress: [{ to: [pods(PG_PODS(cluster))], ports: [tcp(5432), tcp(8000)] }, ...API_SERVER],
      }),
    );
  }
  // Strimzi writes the ingress policies of its pods itself (the listeners' networkPolicyPeers);
  // egress between brokers/controllers and to the API server (entity operator) is ours.
  out.push(
    policy('kafka-egress', STRIMZI_PODS, {
      egress: [{ to: [pods(STRIMZI_PODS)] }, ...API_SERVER],
    }),
  );
  return out;
}
