import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@wattstream/infra/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENVS, kustomizeDir, parseDocs } from '../src/index.js';
import { rendered, repoRoot, run, tool, toolPath } from './support.js';

// kubectl kustomize of three overlays: minutes on a loaded 2-core machine, paid once per file, not by the first test
beforeAll(() => void rendered(), 300_000);

/** Kubernetes versions validated against: the oldest supported (kubectl on this machine) and the newest schemas. */
const K8S_VERSIONS = ['1.32.0', '1.37.0'];

/** A Deployment and a KafkaTopic with one misspelt field each: both validators must refuse them. */
const BROKEN = `apiVersion: apps/v1
kind: Deployment
metadata: {name: broken}
spec:
  selector: {matchLabels: {a: b}}
  template:
    metadata: {labels: {a: b}}
    spec:
      containers: [{name: c, image: x, readinesProbe: {httpGet: {path: /readyz, port: 80}}}]
---
apiVersion: kafka.strimzi.io/v1
kind: KafkaTopic
metadata: {name: broken}
spec: {partitions: 6, replicas: 1, partition: 3}
`;

let dir: string;
const files: Record<string, string> = {};

beforeAll(() => {
  dir = tempDir('k8s-validate');
  for (const env of ENVS) {
    files[env] = join(dir, `${env}.yaml`);
    writeFileSync(files[env], rendered().rendered[env].yaml);
  }
  files.broken = join(dir, 'broken.yaml');
  writeFileSync(files.broken, BROKEN);
  // the cluster-wide log shipper, beside the environments
  const cluster = kustomizeDir(repoRoot, 'cluster/logging');
  files.cluster = join(dir, 'cluster-logging.yaml');
  writeFileSync(files.cluster, cluster);
  clusterDocs = parseDocs(cluster).length;
});
/** Objects in k8s/cluster/logging as kustomize renders it. */
let clusterDocs = 0;
const VALIDATED = [...ENVS, 'cluster'] as const;
const docsOf = (name: (typeof VALIDATED)[number]) =>
  name === 'cluster' ? clusterDocs : rendered().rendered[name].docs.length;

describe('kubeconform -strict, Kubernetes schemas of kubernetes-validate + our CRD schemas', () => {
  let schemas: string;
  beforeAll(() => {
    // kubernetes-validate's schemas $ref "/api/_definitions.json" under an https $id; kubeconform
    // resolves refs from the file, so each is copied with a relative ref and without the $id.
    const site = run(toolPath('venv/bin/python'), [
      '-c',
      'import kubernetes_validate,os;print(os.path.dirname(kubernetes_validate.__file__))',
    ]);
    const src = join(site.stdout.trim(), 'kubernetes-json-schema');
    schemas = join(dir, 'schemas');
    for (const v of K8S_VERSIONS) {
      const from = join(src, `v${v}-local-strict`);
      const to = join(schemas, `v${v}-local-strict`);
      mkdirSync(to, { recursive: true });
      for (const f of readdirSync(from)) {
        const s = JSON.parse(
          readFileSync(join(from, f), 'utf8').replaceAll('"/api/_definitions.json#', '"_definitions.json#'),
        ) as Record<string, unknown>;
        delete s.$id;
        writeFileSync(join(to, f), JSON.stringify(s));
      }
    }
    cpSync(join(repoRoot, 'k8s/schemas/kubeconform'), join(schemas, 'crds'), { recursive: true });
  });
  const kubeconform = (input: string[], version: string, extra: string[] = []) =>
    run(tool('kubeconform'), [
      ...extra,
      '-strict',
      '-summary',
      '-output',
      'json',
      '-kubernetes-version',
      version,
      '-schema-location',
      `${schemas}/{{ .NormalizedKubernetesVersion }}-local{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json`,
      '-schema-location',
      `${schemas}/crds/{{ .ResourceKind }}{{ .KindSuffix }}.json`,
      ...input,
    ]);

  for (const version of K8S_VERSIONS) {
    it(`every object of dev, stage, prod and the cluster's log shipper is valid on Kubernetes ${version}, none skipped`, () => {
      const res = kubeconform(
        VALIDATED.map((e) => files[e]!),
        version,
        ['-verbose'],
      );
      const out = JSON.parse(res.stdout) as {
        resources: { filename: string; kind: string; name: string; status: string; msg?: string }[];
        summary: Record<string, number>;
      };
      expect(out.resources.filter((x) => x.status !== 'statusValid')).toEqual([]);
      for (const name of VALIDATED) {
        expect(out.resources.filter((x) => x.filename === files[name]).length, name).toBe(docsOf(name));
      }
      expect(out.summary).toMatchObject({ invalid: 0, errors: 0, skipped: 0 });
      expect(res.status).toBe(0);
    });
  }

  it('refuses a misspelt field in a Kubernetes and in a custom resource', () => {
    const res = kubeconform([files.broken!], K8S_VERSIONS[0]!);
    expect(res.status).not.toBe(0);
    expect(JSON.parse(res.stdout).summary).toMatchObject({ valid: 0, invalid: 2 });
    expect(res.stdout).toContain('readinesProbe');
    expect(res.stdout).toContain("'partition'");
  });
});

describe('kubectl-validate: OpenAPI v3 of Kubernetes 1.32 (k8s.io/kubernetes api/openapi-spec/v3) + our CRDs', () => {
  let schemas: string;
  beforeAll(() => {
    // the documents are named api__v1_openapi.json, apis__apps__v1_openapi.json; kubectl-validate
    // reads them as api/v1.json, apis/apps/v1.json
    schemas = join(dir, 'openapi');
    const src = toolPath('k8s-openapi-v3');
    for (const f of readdirSync(src)) {
      const m = /^(api|apis__.+)__(v[0-9a-z]+)_openapi\.json$/.exec(f);
      if (!m) continue;
      const to = join(schemas, m[1]!.replaceAll('__', '/'));
      mkdirSync(to, { recursive: true });
      cpSync(join(src, f), join(to, `${m[2]}.json`));
    }
  });
  // --version only names the built-in fallback the tool insists on; every group-version we use
  // is served from the local documents first.
  const validate = (file: string) =>
    run(tool('kubectl-validate'), [
      '--version',
      '1.30',
      '--local-schemas',
      schemas,
      '--local-crds',
      join(repoRoot, 'k8s/schemas/crds'),
      '-o',
      'json',
      file,
    ]);

  for (const env of VALIDATED) {
    it(`${env}: every object valid`, () => {
      const res = validate(files[env]!);
      const results = JSON.parse(res.stdout)[files[env]!] as { status: string; message?: string }[];
      expect(results.filter((x) => x.status !== 'Success')).toEqual([]);
      expect(results.length).toBe(docsOf(env));
      expect(res.status).toBe(0);
    });
  }

  it('refuses a misspelt field in a Kubernetes and in a custom resource', () => {
    const res = validate(files.broken!);
    expect(res.status).not.toBe(0);
    const results = JSON.parse(res.stdout)[files.broken!] as { status: string; message?: string }[];
    expect(results.map((x) => x.status)).toEqual(['Failure', 'Failure']);
    expect(res.stdout).toContain('readinesProbe');
    expect(res.stdout).toContain('partition');
  });
});
