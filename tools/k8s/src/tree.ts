import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import {
  FLUSH_S,
  HEADROOM,
  LAG_SECONDS_PER_REPLICA,
  LOAD,
  SAMPLE_HZ,
  TARGET_UTILIZATION,
  VIEWERS_PER_ATHLETE,
} from './capacity.js';
import { CRDS, crdOf, jsonSchemaOf, kubeconformFile } from './crds.js';
import { ENVS } from './deployables.js';
import { composeOf, DOCKERIGNORE, dockerfileOf, observeFiles } from './images.js';
import { HEADER, kustomizeLayout, toYaml } from './layout.js';
import type { Resolved } from './resolve.js';

/** Files generated under k8s/ (paths relative to k8s/) and at the repository root. */
export interface Generated {
  k8s: Map<string, string>;
  root: Map<string, string>;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

/** The replica arithmetic of the README, from the capacity plan. */
export function capacityMarkdown(r: Resolved): string {
  const lines: string[] = [];
  const prod = r.plans.prod;
  lines.push(
    `Load: **${fmt(prod.athletes)} athletes** riding at once, ${SAMPLE_HZ} Hz each = **${fmt(prod.samplesPerSec)} samples/s**. ` +
      `The edge flushes every ${FLUSH_S * 1000} ms, so a publish (and a Kafka record) carries ${prod.samplesPerRecord} sample: ` +
      `**${fmt(prod.recordsPerSec)} publishes/s and records/s** — per-message costs dominate. ` +
      `A replica is planned at ${TARGET_UTILIZATION * 100} % of its CPU request (the HPA target); the ceiling is ${HEADROOM}× the replicas the load needs. ` +
      `Stage plans for ${fmt(LOAD.stage)} athletes, dev for ${fmt(LOAD.dev)}.`,
    '',
    '| Tier (prod) | Cost per unit (from benchmarks/results) | CPU request | Units/s per replica | Load | Needed | min–max |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const t of prod.tiers) {
    lines.push(
      `| ${t.deployable} | ${t.coreMicros.toFixed(1)} core-µs per ${t.one}: ${t.basis} | ${t.cpuRequestCores} | ${fmt(t.perReplica)} ${t.unit} | ${fmt(t.load)} | ${t.needed} | ${t.min}–${t.max} |`,
    );
  }
  lines.push(
    '',
    '| Environment | ingest | sink | stream-worker | live | partitions of `tracking.metrics.received` (= `stream.athlete.state`) | of `tracking.stats.updated` |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const env of ENVS) {
    const p = r.plans[env];
    const mm = (n: string) => {
      const t = p.tiers.find((x) => x.deployable === n)!;
      return `${t.min}–${t.max}`;
    };
    lines.push(
      `| ${env} (${fmt(p.athletes)} athletes) | ${mm('ingest')} | ${mm('sink')} | ${mm('stream-worker')} | ${mm('live')} | ${p.partitions.metricsReceived} | ${p.partitions.statsUpdated} |`,
    );
  }
  const sink = prod.tiers.find((t) => t.deployable === 'sink')!;
  const worker = prod.tiers.find((t) => t.deployable === 'stream-worker')!;
  lines.push(
    '',
    `- **Partitions**: twice the largest consumer ceiling (${Math.max(sink.max, worker.max)}), rounded up to a multiple of 6, so the consumers can double without adding partitions — adding partitions later moves athletes to other partitions, and the stream worker's changelog must keep the input's count. KEDA never runs more consumers than partitions (\`allowIdleConsumers: false\`).`,
    `- **Lag trigger**: one more consumer per ${LAG_SECONDS_PER_REPLICA} s of one replica's spare capacity of lag (sink ${fmt(sink.lagPerReplica!)} records, stream-worker ${fmt(worker.lagPerReplica!)}).`,
    `- **Live has a ceiling that replicas do not lift**: every live replica reads all of \`tracking.stats.updated\` (${fmt(prod.athletes * SAMPLE_HZ)} records/s at this load), which takes ${prod.liveInputCoresPerReplica.toFixed(1)} cores of JSON parsing alone (the parse floor measured by the stream benchmark) — more than its one event loop has. One live replica follows at most ≈ ${fmt(prod.liveAthletesCeiling)} riding athletes; beyond that the live server has to read only the partitions its clients follow. The live row above is its fan-out (${VIEWERS_PER_ATHLETE} viewer per athlete, ws transport).`,
    `- **QuestDB**: ${fmt(prod.samplesPerSec)} rows/s is ${(prod.samplesPerSec / prod.questdbRowsPerSec).toFixed(1)}× the ${fmt(prod.questdbRowsPerSec)} rows/s one QuestDB took on the 2-core benchmark machine (questdb-raw); prod gives it 16 cores and fast disks, and this is the first figure to measure on real hardware.`,
    `- **The cheapest lever** is the edge's flush interval: at \`EDGE_FLUSH_INTERVAL=1s\` a publish carries ${SAMPLE_HZ} samples, and ingest needs ${prod.ingestNeededAtOneSecondFlush} replicas instead of ${prod.tiers[0]!.needed} (sink and stream-worker a quarter of the records too), for up to 750 ms more latency.`,
    `- Tiers without a benchmark yet (tracking, integrations, analytics, gateway) have placeholder ceilings in tools/k8s/src/deployables.ts until \`benchmarks/\` measures them.`,
  );
  return lines.join('\n');
}

export const CAPACITY_START = '<!-- capacity:start (generated by `pnpm k8s write`) -->';
export const CAPACITY_END = '<!-- capacity:end -->';

export function withCapacity(readme: string, r: Resolved): string {
  const a = readme.indexOf(CAPACITY_START);
  const b = readme.indexOf(CAPACITY_END);
  if (a < 0 || b < a) throw new Error(`k8s/README.md lacks the ${CAPACITY_START} … ${CAPACITY_END} markers`);
  return `${readme.slice(0, a + CAPACITY_START.length)}\n${capacityMarkdown(r)}\n${readme.slice(b)}`;
}

export function generate(r: Resolved): Generated {
  const k8s = new Map(kustomizeLayout(r).files);
  for (const d of r.deployables) k8s.set(`images/${d.name}.Dockerfile`, dockerfileOf(r, d));
  k8s.set('images/docker-compose.yml', composeOf(r));
  for (const [path, text] of observeFiles(r)) k8s.set(`images/${path}`, text);
  for (const c of CRDS) {
    k8s.set(`schemas/crds/${c.plural}.${c.group}.yaml`, HEADER + toYaml(crdOf(c)));
    k8s.set(`schemas/kubeconform/${kubeconformFile(c)}`, `${JSON.stringify(jsonSchemaOf(c), null, 2)}\n`);
  }
  const readmePath = join(r.repoRoot, 'k8s/README.md');
  k8s.set('README.md', withCapacity(readFileSync(readmePath, 'utf8'), r));
  return { k8s, root: new Map([['.dockerignore', DOCKERIGNORE]]) };
}

/** Generated folders: anything in them that `generate` does not produce is stale and removed. */
const OWNED = ['base', 'cluster', 'overlays', 'images', 'schemas'];

const listFiles = (dir: string): string[] =>
  existsSync(dir)
    ? readdirSync(dir, { withFileTypes: true, recursive: true })
        .filter((e) => e.isFile())
        .map((e) => join(e.parentPath, e.name))
    : [];

/** Differences between the committed files and the generated ones (paths relative to the repo). */
export function drift(r: Resolved, g: Generated = generate(r)): string[] {
  const out: string[] = [];
  const k8sDir = join(r.repoRoot, 'k8s');
  const check = (path: string, content: string) => {
    const rel = relative(r.repoRoot, path);
    if (!existsSync(path)) out.push(`missing ${rel}`);
    else if (readFileSync(path, 'utf8') !== content) out.push(`differs ${rel}`);
  };
  for (const [p, c] of g.k8s) check(join(k8sDir, p), c);
  for (const [p, c] of g.root) check(join(r.repoRoot, p), c);
  for (const f of OWNED.flatMap((d) => listFiles(join(k8sDir, d)))) {
    if (!g.k8s.has(relative(k8sDir, f))) out.push(`stale ${relative(r.repoRoot, f)}`);
  }
  return out;
}

export function write(r: Resolved, g: Generated = generate(r)): number {
  const k8sDir = join(r.repoRoot, 'k8s');
  for (const d of OWNED) rmSync(join(k8sDir, d), { recursive: true, force: true });
  const put = (path: string, content: string) => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
  };
  for (const [p, c] of g.k8s) put(join(k8sDir, p), c);
  for (const [p, c] of g.root) put(join(r.repoRoot, p), c);
  return g.k8s.size + g.root.size;
}
