import { KAFKA_TOPICS } from '@wattstream/contracts';
import { dlqTopicName } from '@wattstream/kernel';
import type { Deployable } from './deployables.js';
import { topicName } from './topics.js';

/**
 * Checks run on rendered manifests: the Pod Security Standards' `restricted` profile, the reach of
 * the NetworkPolicies, and contract drift of the Kafka topics.
 */

type Json = Record<string, unknown>;
const asObj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const asArr = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);

const BASELINE_CAPS = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);
const SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);
const RESTRICTED_VOLUMES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);

/**
 * Violations of the Pod Security Standards, `restricted` profile as of v1.32 (which includes
 * `baseline`), for one pod spec: kubernetes.io/docs/concepts/security/pod-security-standards.
 * Each message names the control as the standard does.
 */
export function psaRestricted(spec: Json, annotations: Record<string, string> = {}): string[] {
  const v: string[] = [];
  const pod = asObj(spec.securityContext);
  const containers = [...asArr(spec.containers), ...asArr(spec.initContainers), ...asArr(spec.ephemeralContainers)];
  const name = (c: Json) => `container ${String(c.name)}`;
  // baseline
  if (asObj(pod.windowsOptions).hostProcess === true) v.push('HostProcess: pod windowsOptions.hostProcess');
  for (const k of ['hostNetwork', 'hostPID', 'hostIPC']) if (spec[k] === true) v.push(`Host Namespaces: ${k}`);
  for (const vol of asArr(spec.volumes)) {
    if ('hostPath' in vol) v.push(`HostPath Volumes: ${String(vol.name)}`);
    const type = Object.keys(vol).find((k) => k !== 'name');
    if (type && !RESTRICTED_VOLUMES.has(type)) v.push(`Volume Types: ${String(vol.name)} is ${type}`);
  }
  for (const s of asArr(pod.sysctls)) if (!SAFE_SYSCTLS.has(String(s.name))) v.push(`Sysctls: ${String(s.name)}`);
  const podSeccomp = asObj(pod.seccompProfile).type as string | undefined;
  const seccompOk = (t: string | undefined) => t === 'RuntimeDefault' || t === 'Localhost';
  if (podSeccomp === 'Unconfined') v.push('Seccomp: pod Unconfined');
  const appArmor = (t: unknown, where: string) => {
    if (t !== undefined && t !== 'RuntimeDefault' && t !== 'Localhost') v.push(`AppArmor: ${where} ${String(t)}`);
  };
  appArmor(asObj(pod.appArmorProfile).type, 'pod');
  for (const [k, val] of Object.entries(annotations)) {
    if (
      k.startsWith('container.apparmor.security.beta.kubernetes.io/') &&
      val !== 'runtime/default' &&
      !val.startsWith('localhost/')
    ) {
      v.push(`AppArmor: annotation ${k}`);
    }
  }
  const seLinux = (o: Json, where: string) => {
    const se = asObj(o.seLinuxOptions);
    if (!SELINUX_TYPES.has(String(se.type ?? ''))) v.push(`SELinux: ${where} type ${String(se.type)}`);
    if (se.user !== undefined || se.role !== undefined) v.push(`SELinux: ${where} user/role set`);
  };
  seLinux(pod, 'pod');
  // restricted, pod level
  if (pod.runAsNonRoot === false) v.push('Running as Non-root: pod runAsNonRoot false');
  if (pod.runAsUser === 0) v.push('Running as Non-root user: pod runAsUser 0');
  for (const c of containers) {
    const sc = asObj(c.securityContext);
    if (asObj(sc.windowsOptions).hostProcess === true) v.push(`HostProcess: ${name(c)}`);
    if (sc.privileged === true) v.push(`Privileged Containers: ${name(c)}`);
    for (const p of asArr(c.ports))
      if (p.hostPort !== undefined && p.hostPort !== 0) v.push(`Host Ports: ${name(c)} ${String(p.hostPort)}`);
    appArmor(asObj(sc.appArmorProfile).type, name(c));
    seLinux(sc, name(c));
    if (sc.procMount !== undefined && sc.procMount !== 'Default') v.push(`/proc Mount Type: ${name(c)}`);
    const seccomp = asObj(sc.seccompProfile).type as string | undefined;
    if (seccomp === 'Unconfined') v.push(`Seccomp: ${name(c)} Unconfined`);
    if (!seccompOk(seccomp) && !(seccomp === undefined && seccompOk(podSeccomp))) {
      v.push(`Seccomp: ${name(c)} must be RuntimeDefault or Localhost (here or on the pod)`);
    }
    if (sc.allowPrivilegeEscalation !== false)
      v.push(`Privilege Escalation: ${name(c)} allowPrivilegeEscalation must be false`);
    const nonRoot = sc.runAsNonRoot ?? pod.runAsNonRoot;
    if (nonRoot !== true) v.push(`Running as Non-root: ${name(c)} runAsNonRoot must be true (here or on the pod)`);
    if (sc.runAsUser === 0) v.push(`Running as Non-root user: ${name(c)} runAsUser 0`);
    const caps = asObj(sc.capabilities);
    const add = (caps.add as string[] | undefined) ?? [];
    for (const a of add) {
      if (!BASELINE_CAPS.has(a)) v.push(`Capabilities: ${name(c)} adds ${a}`);
      else if (a !== 'NET_BIND_SERVICE') v.push(`Capabilities (restricted): ${name(c)} adds ${a}`);
    }
    if (!((caps.drop as string[] | undefined) ?? []).includes('ALL'))
      v.push(`Capabilities (restricted): ${name(c)} must drop ALL`);
  }
  return v;
}

// ---- NetworkPolicy reach ----------------------------------------------------------------------

export interface PodRef {
  labels: Record<string, string>;
  /** Labels of its namespace; a pod of ours is in `namespace`. */
  namespace: Record<string, string>;
}

const matches = (selector: unknown, labels: Record<string, string>): boolean => {
  const s = asObj(selector);
  const ml = asObj(s.matchLabels) as Record<string, string>;
  if (asArr(s.matchExpressions).length > 0) throw new Error('matchExpressions are not evaluated here');
  return Object.entries(ml).every(([k, val]) => labels[k] === val);
};

const peerMatches = (peer: Json, other: PodRef, ownNamespace: Record<string, string>, ip?: string): boolean => {
  if ('ipBlock' in peer) return ip !== undefined;
  const ns =
    'namespaceSelector' in peer ? matches(peer.namespaceSelector, other.namespace) : other.namespace === ownNamespace;
  const pod = 'podSelector' in peer ? matches(peer.podSelector, other.labels) : true;
  return ns && pod;
};

const portMatches = (rule: Json, port: number): boolean => {
  const ports = asArr(rule.ports);
  return ports.length === 0 || ports.some((p) => p.port === port && (p.protocol ?? 'TCP') === 'TCP');
};

/**
 * Whether the policies let `from` open a TCP connection to `to` on `port` (NetworkPolicy
 * semantics: a pod selected by a policy of a direction allows only what one of those policies
 * allows; both the source's egress and the destination's ingress must allow it). A source of
 * `ipBlock` peers (the internet) is `from: 'external'`.
 */
export function allowed(
  policies: readonly Json[],
  from: PodRef | 'external',
  to: PodRef | 'external',
  port: number,
): boolean {
  const side = (pod: PodRef, type: 'Ingress' | 'Egress', peer: PodRef | 'external') => {
    const mine = policies.filter((p) => {
      const spec = asObj(p.spec);
      return (
        pod.namespace === OWN &&
        matches(spec.podSelector, pod.labels) &&
        ((spec.policyTypes as string[] | undefined) ?? ['Ingress']).includes(type)
      );
    });
    if (mine.length === 0) return true;
    const key = type === 'Ingress' ? 'ingress' : 'egress';
    const peerKey = type === 'Ingress' ? 'from' : 'to';
    return mine.some((p) =>
      asArr(asObj(p.spec)[key]).some((rule) => {
        if (!portMatches(rule, port)) return false;
        const peers = asArr(rule[peerKey]);
        if (peers.length === 0 && !(peerKey in rule)) return true;
        return peers.some((x) =>
          peer === 'external' ? 'ipBlock' in x : peerMatches(x, peer, OWN, undefined) && !('ipBlock' in x),
        );
      }),
    );
  };
  const egressOk = from === 'external' || side(from, 'Egress', to);
  const ingressOk = to === 'external' || side(to, 'Ingress', from);
  return egressOk && ingressOk;
}

/** Labels of the environment's namespace in `allowed`; a peer without namespaceSelector means this one (compared by identity). */
export const OWN: Record<string, string> = { 'kubernetes.io/metadata.name': 'wattstream' };
export const ns = (name: string): Record<string, string> => ({ 'kubernetes.io/metadata.name': name });

// ---- contract drift ---------------------------------------------------------------------------

/**
 * Topics the cluster lacks: every contract topic, and `<topic>.dlq` for each topic a kernel
 * consumer of `deployables` reads. `topics` are the `spec.topicName`s of the KafkaTopic CRs.
 */
export function missingTopics(topics: readonly string[], deployables: readonly Deployable[]): string[] {
  const have = new Set(topics);
  const needed = new Set(KAFKA_TOPICS.map((t) => t.name));
  for (const d of deployables) {
    if (!d.kafka?.dlq) continue;
    for (const key of d.kafka.consumes) {
      needed.add(dlqTopicName(topicName(key)));
    }
  }
  return [...needed].filter((t) => !have.has(t)).sort();
}
