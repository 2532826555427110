import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type KafkaTopicKey, kafkaTopics } from '@wattstream/contracts';
import { type CapacityPlan, capacityPlan, type Figures, loadFigures } from './capacity.js';
import { DEPLOYABLES, type Deployable, ENVS, type Env, type PerEnv } from './deployables.js';
import { type TopicPlan, topicPlan } from './topics.js';

/** The table made concrete for this workspace: present deployables, replicas and topics per environment. */
export interface Resolved {
  repoRoot: string;
  /** Deployables whose package is in the workspace. */
  deployables: Deployable[];
  /** Table entries whose package has not landed yet (left out of the render). */
  pending: Deployable[];
  plans: PerEnv<CapacityPlan>;
  topics: PerEnv<TopicPlan[]>;
  replicasOf(d: Deployable, env: Env): { min: number; max: number };
  lagPerReplica(d: Deployable, env: Env): number;
  topicName(key: KafkaTopicKey): string;
  deployedIn(env: Env): Deployable[];
  version: string;
}

const cores = (cpu: string): number => (cpu.endsWith('m') ? Number(cpu.slice(0, -1)) / 1000 : Number(cpu));

/** Whether `d`'s package has landed: its folder holds a package.json naming it with the bin. */
export function isPresent(repoRoot: string, d: Deployable): boolean {
  const file = join(repoRoot, d.dir, 'package.json');
  if (!existsSync(file)) return false;
  const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string };
  return pkg.name === d.package;
}

export function resolve(repoRoot: string, figures: Figures = loadFigures(repoRoot)): Resolved {
  const deployables = DEPLOYABLES.filter((d) => isPresent(repoRoot, d));
  const pending = DEPLOYABLES.filter((d) => !deployables.includes(d));
  const byName = new Map(DEPLOYABLES.map((d) => [d.name, d]));
  const plans = Object.fromEntries(
    ENVS.map((env) => [env, capacityPlan(figures, env, (name) => cores(byName.get(name)!.resources[env].cpu))]),
  ) as PerEnv<CapacityPlan>;
  const tier = (d: Deployable, env: Env) => {
    const t = plans[env].tiers.find((x) => x.deployable === d.name);
    if (!t) throw new Error(`${d.name}: replicas 'benchmarks' but the capacity plan has no tier for it`);
    return t;
  };
  const replicasOf = (d: Deployable, env: Env) => {
    if (d.replicas !== 'benchmarks') return d.replicas[env];
    const t = tier(d, env);
    return { min: t.min, max: t.max };
  };
  const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version?: string }).version;
  return {
    repoRoot,
    deployables,
    pending,
    plans,
    topics: Object.fromEntries(ENVS.map((env) => [env, topicPlan(deployables, plans[env])])) as PerEnv<TopicPlan[]>,
    replicasOf,
    lagPerReplica(d, env) {
      const a = d.autoscaling;
      if (a?.kind !== 'lag') throw new Error(`${d.name} does not scale on lag`);
      return a.lagPerReplica === 'benchmarks' ? tier(d, env).lagPerReplica! : a.lagPerReplica;
    },
    topicName: (key) => kafkaTopics[key].name,
    deployedIn: (env) => deployables.filter((d) => (d.envs ?? ENVS).includes(env)),
    version: version ?? '0.0.0',
  };
}
