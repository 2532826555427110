import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { kafkaTopics } from '@wattstream/contracts';
import { beforeAll, describe, expect, it } from 'vitest';
import { streamTopics } from '../../../stream/src/topics.js';
import {
  allowed,
  CLUSTER,
  DEPLOYABLES,
  ENVS,
  missingTopics,
  ns,
  OWN,
  type PodRef,
  psaRestricted,
  selectorOf,
} from '../src/index.js';
import { type Obj, podSpecOf, rendered, repoRoot } from './support.js';

// kubectl kustomize of three overlays: minutes on a loaded 2-core machine, paid once per file, not by the first test
beforeAll(() => void rendered(), 300_000);

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob']);
const workloads = (docs: Obj[]) => docs.filter((o) => WORKLOADS.has(o.kind));
type Container = {
  name: string;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  livenessProbe?: { httpGet?: { path: string } };
  readinessProbe?: { httpGet?: { path: string } };
  env?: { valueFrom?: { secretKeyRef?: { name: string } } }[];
};

describe('Pod Security Standards, restricted (v1.32)', () => {
  for (const env of ENVS) {
    it(`${env}: every pod spec passes`, () => {
      const ws = workloads(rendered().rendered[env].docs);
      expect(ws.length).toBeGreaterThan(5);
      for (const w of ws) {
        const tpl = (w.spec as { template: { metadata?: { annotations?: Record<string, string> } } }).template;
        expect(psaRestricted(podSpecOf(w)!, tpl.metadata?.annotations), `${w.kind}/${w.metadata.name}`).toEqual([]);
      }
      const namespace = rendered().rendered[env].docs.find((o) => o.kind === 'Namespace')!;
      expect(namespace.metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted' });
    });
  }

  it('flags each control it checks', () => {
    const ok = {
      securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [
        { name: 'c', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } },
      ],
      volumes: [{ name: 'tmp', emptyDir: {} }],
    };
    expect(psaRestricted(ok)).toEqual([]);
    const c = (sc: Record<string, unknown>, more: Record<string, unknown> = {}) => ({
      ...ok,
      containers: [{ name: 'c', ...more, securityContext: { ...ok.containers[0]!.securityContext, ...sc } }],
    });
    const cases: [Record<string, unknown>, string][] = [
      [{ ...ok, hostNetwork: true }, 'Host Namespaces'],
      [{ ...ok, volumes: [{ name: 'h', hostPath: { path: '/' } }] }, 'HostPath Volumes'],
      [{ ...ok, volumes: [{ name: 'n', nfs: { server: 'x', path: '/' } }] }, 'Volume Types'],
      [c({ privileged: true }), 'Privileged Containers'],
      [c({ allowPrivilegeEscalation: true }), 'Privilege Escalation'],
      [c({ runAsUser: 0 }), 'Running as Non-root user'],
      [{ ...c({}), securityContext: { seccompProfile: { type: 'RuntimeDefault' } } }, 'Running as Non-root'],
      [{ ...c({}), securityContext: { runAsNonRoot: true } }, 'Seccomp'],
      [c({ seccompProfile: { type: 'Unconfined' } }), 'Seccomp'],
      [c({ capabilities: { drop: ['ALL'], add: ['NET_ADMIN'] } }), 'Capabilities'],
      [c({ capabilities: { drop: ['ALL'], add: ['CHOWN'] } }), 'Capabilities (restricted)'],
      [c({ capabilities: {} }), 'must drop ALL'],
      [c({}, { ports: [{ containerPort: 80, hostPort: 80 }] }), 'Host Ports'],
      [c({ procMount: 'Unmasked' }), '/proc Mount Type'],
      [c({ seLinuxOptions: { type: 'spc_t' } }), 'SELinux'],
      [c({ appArmorProfile: { type: 'Unconfined' } }), 'AppArmor'],
      [
        { ...ok, securityContext: { ...ok.securityContext, sysctls: [{ name: 'kernel.msgmax', value: '1' }] } },
        'Sysctls',
      ],
    ];
    for (const [spec, control] of cases) expect(psaRestricted(spec).join('\n'), control).toContain(control);
  });
});

describe('workload policy', () => {
  for (const env of ENVS) {
    it(`${env}: every container has probes and resources, runs as non-root; no API tokens, no RBAC`, () => {
      const docs = rendered().rendered[env].docs;
      for (const w of workloads(docs)) {
        const pod = podSpecOf(w)! as {
          automountServiceAccountToken?: boolean;
          containers: Container[];
          securityContext: { runAsNonRoot?: boolean; runAsUser?: number };
        };
        expect(pod.automountServiceAccountToken, `${w.metadata.name} mounts an API token`).toBe(false);
        expect(pod.securityContext.runAsNonRoot).toBe(true);
        expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
        for (const c of pod.containers) {
          const where = `${w.kind}/${w.metadata.name}/${c.name}`;
          expect(c.livenessProbe, where).toBeDefined();
          expect(c.readinessProbe, where).toBeDefined();
          expect(Object.keys(c.resources?.requests ?? {}).sort(), where).toEqual(['cpu', 'memory']);
          expect(c.resources?.limits?.memory, where).toBeDefined();
        }
      }
      // our deployables: the probes mean what the kernel's endpoints mean
      for (const d of rendered().r.deployedIn(env)) {
        const w = docs.find((o) => o.kind === 'Deployment' && o.metadata.name === d.name)!;
        const c = (podSpecOf(w)! as { containers: Container[] }).containers[0]!;
        expect(c.livenessProbe?.httpGet?.path).toBe('/healthz');
        expect(c.readinessProbe?.httpGet?.path).toBe('/readyz');
      }
      expect(docs.filter((o) => /^(Cluster)?Role(Binding)?$/.test(o.kind))).toEqual([]);
      for (const sa of docs.filter((o) => o.kind === 'ServiceAccount')) {
        expect((sa as { automountServiceAccountToken?: boolean }).automountServiceAccountToken).toBe(false);
      }
    });
  }

  it('prod: every Deployment and StatefulSet has a PodDisruptionBudget selecting its pods, and spreads over nodes', () => {
    const docs = rendered().rendered.prod.docs;
    const pdbs = docs.filter((o) => o.kind === 'PodDisruptionBudget');
    for (const w of workloads(docs)) {
      const labels = (w.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata
        .labels;
      const pdb = pdbs.find((p) =>
        Object.entries((p.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels).every(
          ([k, v]) => labels[k] === v,
        ),
      );
      expect(pdb, `${w.kind}/${w.metadata.name}`).toBeDefined();
    }
    for (const d of rendered().r.deployedIn('prod')) {
      const w = docs.find((o) => o.kind === 'Deployment' && o.metadata.name === d.name)!;
      expect(podSpecOf(w)!.affinity, d.name).toHaveProperty('podAntiAffinity');
      expect(podSpecOf(w)!.topologySpreadConstraints, d.name).toHaveLength(2);
    }
  });

  it('secrets: no Secret is committed; a pod reads only its own secrets', () => {
    const files = readdirSync(join(repoRoot, 'k8s'), { recursive: true, withFileTypes: true }).filter((e) =>
      e.isFile(),
    );
    for (const f of files)
      expect(readFileSync(join(f.parentPath, f.name), 'utf8'), f.name).not.toMatch(/^kind: Secret$/m);
    for (const env of ENVS) {
      for (const w of workloads(rendered().rendered[env].docs)) {
        const name = w.metadata.name;
        const refs = (podSpecOf(w)! as { containers: Container[] }).containers
          .flatMap((c) => c.env ?? [])
          .map((e) => e.valueFrom?.secretKeyRef?.name)
          .filter((x): x is string => x !== undefined);
        for (const ref of refs) expect([`${name}-secrets`, `pg-${name}-app`], `${name} reads ${ref}`).toContain(ref);
      }
    }
  });

  it('the Ingress serves the gateway over TLS, /live with WebSocket timeouts', () => {
    for (const env of ENVS) {
      const ingresses = rendered().rendered[env].docs.filter((o) => o.kind === 'Ingress');
      for (const i of ingresses) expect((i.spec as { tls: unknown[] }).tls.length).toBe(1);
      const live = ingresses.find((i) => JSON.stringify(i.spec).includes('"path":"/live"'))!;
      expect(
        Number((live.metadata.annotations as Record<string, string>)['nginx.ingress.kubernetes.io/proxy-read-timeout']),
      ).toBeGreaterThanOrEqual(3600);
    }
  });
});

describe('NetworkPolicies: default deny, the architecture’s flows only', () => {
  const docs = () => rendered().rendered.prod.docs;
  // Strimzi writes the brokers' ingress policy itself, from the listeners' networkPolicyPeers
  const strimziPolicy = () => {
    const kafka = docs().find((o) => o.kind === 'Kafka')!;
    const listeners = (kafka.spec as { kafka: { listeners: { port: number; networkPolicyPeers: unknown[] }[] } }).kafka
      .listeners;
    return {
      kind: 'NetworkPolicy',
      metadata: { name: 'strimzi-listeners' },
      spec: {
        podSelector: { matchLabels: { 'strimzi.io/cluster': CLUSTER.kafka, 'strimzi.io/broker-role': 'true' } },
        policyTypes: ['Ingress'],
        ingress: listeners.map((l) => ({ from: l.networkPolicyPeers, ports: [{ protocol: 'TCP', port: l.port }] })),
      },
    };
  };
  const policies = () =>
    [...docs().filter((o) => o.kind === 'NetworkPolicy'), strimziPolicy()] as Record<string, unknown>[];
  const podOf = (name: string): PodRef => {
    const w = workloads(docs()).find((o) => o.metadata.name === name);
    if (!w) throw new Error(`no workload ${name}`);
    return {
      labels: (w.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels,
      namespace: OWN,
    };
  };
  const kafkaBroker: PodRef = {
    labels: { 'strimzi.io/cluster': CLUSTER.kafka, 'strimzi.io/broker-role': 'true' },
    namespace: OWN,
  };
  const pg = (svc: string): PodRef => ({ labels: { 'cnpg.io/cluster': `pg-${svc}` }, namespace: OWN });
  const prometheus: PodRef = { labels: selectorOf('prometheus'), namespace: ns(CLUSTER.namespaces.monitoring) };
  const present = () =>
    rendered()
      .r.deployedIn('prod')
      .map((d) => d.name);

  it('denies everything not allowed', () => {
    expect(policies().some((p) => p.metadata && (p.metadata as { name: string }).name === 'default-deny')).toBe(true);
    expect(allowed(policies(), podOf('sink'), podOf('users'), 8101)).toBe(false);
    expect(allowed(policies(), podOf('live'), pg('users'), 5432)).toBe(false);
    expect(allowed(policies(), podOf('users'), podOf('questdb'), 9000)).toBe(false);
    expect(allowed(policies(), podOf('ingest'), podOf('redis'), 6379)).toBe(false);
    expect(allowed(policies(), 'external', podOf('users'), 8101)).toBe(false);
    expect(allowed(policies(), 'external', podOf('ingest'), 9101)).toBe(false);
    expect(allowed(policies(), podOf('stream-worker'), 'external', 443)).toBe(false);
    expect(allowed(policies(), podOf('inventory'), 'external', 443)).toBe(false);
    const stranger: PodRef = { labels: { 'app.kubernetes.io/name': 'debug' }, namespace: OWN };
    expect(allowed(policies(), stranger, kafkaBroker, 9092)).toBe(false);
  });

  it('allows the flows of the architecture', () => {
    expect(allowed(policies(), 'external', podOf('ingest'), 1883)).toBe(true);
    expect(allowed(policies(), 'external', podOf('ingest'), 8883)).toBe(true);
    for (const d of ['ingest', 'sink', 'stream-worker', 'live', 'users']) {
      expect(allowed(policies(), podOf(d), kafkaBroker, 9092), `${d} → Kafka`).toBe(true);
      const port = DEPLOYABLES.find((x) => x.name === d)!.http.port;
      expect(allowed(policies(), prometheus, podOf(d), port), `Prometheus → ${d}`).toBe(true);
    }
    expect(allowed(policies(), podOf('sink'), podOf('questdb'), 9000)).toBe(true);
    // notifications: signed webhooks to any public URL and port, e-mail through the SMTP relay
    for (const port of [443, 8443, 587, 465]) {
      expect(allowed(policies(), podOf('notifications'), 'external', port), `notifications → :${port}`).toBe(true);
    }
    expect(allowed(policies(), podOf('users'), pg('users'), 5432)).toBe(true);
    for (const d of present().filter((n) => n !== 'users')) {
      const entry = DEPLOYABLES.find((x) => x.name === d)!;
      if (entry.postgres) expect(allowed(policies(), podOf(d), pg('users'), 5432), `${d} → pg-users`).toBe(false);
    }
  });

  it('Kafka clients carry the label the Strimzi listener admits', () => {
    const kafka = docs().find((o) => o.kind === 'Kafka')!;
    const peers = JSON.stringify(kafka.spec);
    expect(peers).toContain('wattstream.io/kafka-client');
    for (const d of rendered()
      .r.deployedIn('prod')
      .filter((x) => x.kafka)) {
      expect(podOf(d.name).labels['wattstream.io/kafka-client'], d.name).toBe('true');
    }
  });
});

describe('Kafka topics: one source, the contracts', () => {
  const topicsOf = (env: (typeof ENVS)[number]) =>
    rendered()
      .rendered[env].docs.filter((o) => o.kind === 'KafkaTopic')
      .map((o) => o as Obj & { spec: { topicName: string; partitions: number } });

  for (const env of ENVS) {
    it(`${env}: every contract topic, every consumed topic's .dlq and every stream topic has a KafkaTopic`, () => {
      const names = topicsOf(env).map((t) => t.spec.topicName);
      expect(missingTopics(names, rendered().r.deployedIn(env))).toEqual([]);
      for (const t of Object.values(streamTopics(''))) expect(names).toContain(t);
      const partitions = (name: string) => topicsOf(env).find((t) => t.spec.topicName === name)!.spec.partitions;
      // the stream worker's changelog keeps the input's partition count
      expect(partitions(kafkaTopics.athleteState.name)).toBe(partitions(kafkaTopics.metricsReceived.name));
      // no consumer that autoscales on lag gets more replicas than its topic has partitions
      for (const o of rendered().rendered[env].docs.filter((x) => x.kind === 'ScaledObject')) {
        const spec = o.spec as { maxReplicaCount: number; triggers: { type: string; metadata: { topic: string } }[] };
        const topic = spec.triggers.find((t) => t.type === 'kafka')!.metadata.topic;
        expect(spec.maxReplicaCount, o.metadata.name).toBeLessThanOrEqual(partitions(topic));
      }
    });
  }

  it('a contract topic without a KafkaTopic, or a consumed topic without its .dlq, is reported', () => {
    const names = topicsOf('dev').map((t) => t.spec.topicName);
    expect(
      missingTopics(
        names.filter((n) => n !== kafkaTopics.edgeUpdated.name),
        [],
      ),
    ).toEqual([kafkaTopics.edgeUpdated.name]);
    const consumer = {
      ...DEPLOYABLES.find((d) => d.name === 'users')!,
      kafka: { consumes: ['groupUpdated'], produces: [], groups: [], dlq: true },
    } as (typeof DEPLOYABLES)[number];
    expect(missingTopics(names, [consumer])).toEqual([`${kafkaTopics.groupUpdated.name}.dlq`]);
  });

  it("the table's topics are what each kernel service's code consumes and produces", () => {
    const keyOf = new Map(Object.entries(kafkaTopics).map(([k]) => [k, k]));
    const sources = (dir: string) =>
      readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile() && e.name.endsWith('.ts'))
        .map((e) => readFileSync(join(e.parentPath, e.name), 'utf8'))
        .join('\n');
    const consumers = /consume\(\{[\s\S]{0,300}?topic:\s*kafkaTopics\.(\w+)/g;
    // shared projections a service wires with one call, e.g. consumeCoachLinks(ctx, group)
    const helpers = new Map(
      [
        ...sources(join(repoRoot, 'packages', 'access', 'src')).matchAll(/export function (consume\w+)\([\s\S]*?\n\}/g),
      ].map((m) => [m[1]!, [...m[0].matchAll(consumers)].map((c) => c[1]!)]),
    );
    expect(helpers.get('consumeCoachLinks')).toEqual(['coachLinkUpdated']);
    for (const d of rendered().r.deployables.filter((x) => x.kernel && x.kafka)) {
      const src = sources(join(repoRoot, d.dir, 'src'));
      const consumed = [
        ...[...src.matchAll(consumers)].map((m) => m[1]!),
        ...[...helpers].flatMap(([name, topics]) => (src.includes(`${name}(ctx`) ? topics : [])),
      ];
      const producedBlock = [...src.matchAll(/produces\(([^)]*)\)/g)].map((m) => m[1]!).join(',');
      const produced = [...producedBlock.matchAll(/kafkaTopics\.(\w+)/g)].map((m) => m[1]!);
      for (const k of [...consumed, ...produced]) expect(keyOf.has(k), k).toBe(true);
      expect([...new Set(consumed)].sort(), `${d.name} consumes`).toEqual([...d.kafka!.consumes].sort());
      expect([...new Set(produced)].sort(), `${d.name} produces`).toEqual([...d.kafka!.produces].sort());
    }
  });
});
