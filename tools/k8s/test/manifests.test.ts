import { beforeAll, describe, expect, it } from 'vitest';
import { CLUSTER, drift, ENVS, envSettings, kustomizeLayout, retag } from '../src/index.js';
import { type Obj, rendered, run } from './support.js';

// kubectl kustomize of three overlays: minutes on a loaded 2-core machine, paid once per file, not by the first test
beforeAll(() => void rendered(), 300_000);

const key = (o: Obj) => `${o.kind}/${o.metadata.name}`;
const sortKeys = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(sortKeys)
    : v && typeof v === 'object'
      ? Object.fromEntries(
          Object.entries(v)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([k, x]) => [k, sortKeys(x)]),
        )
      : v;

describe('k8s/ rendered from the deployables table', () => {
  it('is committed as `pnpm k8s write` renders it (no drift)', () => {
    // fails when a deployable, topic, port or benchmark changed without a re-render
    expect(drift(rendered().r)).toEqual([]);
  });

  for (const env of ENVS) {
    it(`${env}: kubectl kustomize prints exactly the objects the table describes`, () => {
      const { r, rendered: out } = rendered();
      const expected = kustomizeLayout(r).expected[env].map((o) => JSON.parse(JSON.stringify(o)) as Obj);
      const ns = envSettings(env).namespace;
      for (const o of expected) {
        if (o.kind !== 'Namespace') o.metadata.namespace = ns;
        const pod = (o.spec as { template?: { spec?: { containers?: { image: string }[] } } } | undefined)?.template
          ?.spec;
        for (const c of pod?.containers ?? []) {
          if (c.image.startsWith(CLUSTER.imagePrefix)) {
            c.image = `${CLUSTER.registry}/${c.image.slice(CLUSTER.imagePrefix.length)}:main`;
          }
        }
      }
      const got = out[env].docs;
      expect(got.map(key).sort()).toEqual(expected.map(key).sort());
      for (const o of got) expect(sortKeys(o), key(o)).toEqual(sortKeys(expected.find((x) => key(x) === key(o))));
    });
  }

  it('`pnpm k8s render <env>` prints the kustomize output, and --tag/--registry repoint every image', () => {
    const cli = ['--conditions=source', '--import', 'tsx', 'tools/k8s/src/cli.ts', 'render'];
    const plain = run(process.execPath, [...cli, 'dev']);
    expect(plain.stderr).toBe('');
    expect(plain.stdout).toBe(rendered().rendered.dev.yaml);
    const tagged = run(process.execPath, [...cli, 'prod', '--tag', 'v1.2.3', '--registry', 'registry.example/acme']);
    const images = [...tagged.stdout.matchAll(/image: (\S+)/g)].map((m) => m[1]!);
    const ours = images.filter((i) => i.startsWith('registry.example/'));
    expect(ours.length).toBe(rendered().r.deployedIn('prod').length);
    expect(images.filter((i) => i.startsWith(CLUSTER.registry))).toEqual([]);
    for (const i of ours) expect(i).toMatch(/^registry\.example\/acme\/[a-z-]+:v1\.2\.3$/);
    const bad = run(process.execPath, [...cli, 'qa']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('error WS_K8S_UNKNOWN_ENV');
  });

  it('retag pins a digest with @', () => {
    const y = `image: ${CLUSTER.registry}/users:main\nimage: questdb/questdb:9.3.2\n`;
    expect(retag(y, 'sha256:abc')).toBe(`image: ${CLUSTER.registry}/users@sha256:abc\nimage: questdb/questdb:9.3.2\n`);
  });

  it('each overlay changes what it should, and only prod runs 3 brokers with min.insync.replicas 2', () => {
    const { rendered: out } = rendered();
    const find = (env: (typeof ENVS)[number], kind: string, name: string) =>
      out[env].docs.find((o) => o.kind === kind && o.metadata.name === name) as Obj & {
        spec: { replicas: number; config: Record<string, string> };
      };
    for (const env of ENVS) {
      const pool = find(env, 'KafkaNodePool', 'combined');
      const topic = find(env, 'KafkaTopic', 'tracking-metrics-received');
      const expectBrokers = env === 'prod' ? 3 : 1;
      expect(pool.spec.replicas).toBe(expectBrokers);
      expect(topic.spec.replicas).toBe(expectBrokers);
      expect(topic.spec.config['min.insync.replicas']).toBe(env === 'prod' ? '2' : '1');
      expect(out[env].docs.some((o) => o.kind === 'PodDisruptionBudget')).toBe(env !== 'dev');
      const ns = out[env].docs.find((o) => o.kind === 'Namespace')!;
      expect(ns.metadata.name).toBe(envSettings(env).namespace);
    }
  });
});
