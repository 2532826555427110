import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { findPromtool } from '@wattstream/infra';
import { tempDir } from '@wattstream/infra/testing';
import { DASHBOARDS_DIR, RULES_FILE, renderDashboards } from '@wattstream/observability';
import { createLogger, endSpan, startSpanFrom, startTracing, withSpan } from '@wattstream/platform';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { collectorConfig, ENVS, kustomizeDir, LOGGING, parseDocs } from '../src/index.js';
import { type Obj, podSpecOf, rendered, repoRoot, run } from './support.js';

// kubectl kustomize of three overlays: minutes on a loaded 2-core machine, paid once per file, not by the first test
beforeAll(() => void rendered(), 300_000);

/**
 * The monitoring stack's inputs in every environment (rules, scrape config, dashboards) are the
 * ones observability/ tests with promtool and a real Prometheus, and the cluster's log shipper reads
 * the lines our logger writes. No collector, Prometheus Operator or Grafana runs here: this checks
 * what can be checked without them (the schemas are checked by validate.test.ts).
 */

const ofKind = (docs: Obj[], kind: string) => docs.filter((d) => d.kind === kind);
const labelsOf = (o: Obj | undefined) => (o?.metadata.labels ?? {}) as Record<string, string>;

describe('monitoring objects of each environment', () => {
  for (const env of ENVS) {
    it(`${env}: the PrometheusRule is the rule file promtool tests, and every dashboard is a sidecar ConfigMap`, () => {
      const docs = rendered().rendered[env].docs as Obj[];
      const [rule, ...more] = ofKind(docs, 'PrometheusRule');
      expect(more).toEqual([]);
      expect(rule?.spec).toEqual(parse(readFileSync(RULES_FILE, 'utf8')));

      const dashboards = ofKind(docs, 'ConfigMap').filter((c) => labelsOf(c).grafana_dashboard === '1');
      const files = renderDashboards();
      expect(dashboards).toHaveLength(files.size);
      for (const [file, text] of files) {
        const uid = file.replace(/\.gen\.json$/, '');
        const cm = dashboards.find((c) => c.metadata.name === `dashboard-${uid}`);
        expect(((cm?.data ?? {}) as Record<string, string>)[`${uid}.json`], uid).toBe(text);
        expect(text).toBe(readFileSync(join(repoRoot, 'observability/dashboards', file), 'utf8'));
      }
    });

    it(`${env}: the PodMonitor scrapes every deployable on its metrics port with job = its name`, () => {
      const docs = rendered().rendered[env].docs as Obj[];
      const [monitor] = ofKind(docs, 'PodMonitor');
      const spec = monitor?.spec as {
        jobLabel: string;
        selector: { matchLabels: Record<string, string> };
        podMetricsEndpoints: { port: string; path: string }[];
      };
      expect(spec.jobLabel).toBe('app.kubernetes.io/name');
      const names = spec.podMetricsEndpoints.map((e) => e.port);
      for (const d of ofKind(docs, 'Deployment')) {
        const template = (
          d.spec as { template: { metadata: { labels: Record<string, string>; annotations?: Record<string, string> } } }
        ).template;
        const port = template.metadata.annotations?.['prometheus.io/port'];
        if (port === undefined || template.metadata.labels['app.kubernetes.io/part-of'] !== 'wattstream') continue;
        const containers = (podSpecOf(d)?.containers ?? []) as { ports?: { name: string; containerPort: number }[] }[];
        const metricsPort = containers.flatMap((c) => c.ports ?? []).find((p) => String(p.containerPort) === port);
        expect(names, `${d.metadata.name}: port ${port}`).toContain(metricsPort?.name);
        for (const [k, v] of Object.entries(spec.selector.matchLabels)) expect(template.metadata.labels[k]).toBe(v);
      }
    });
  }
});

describe('the log shipper (k8s/cluster/logging)', () => {
  const docs = parseDocs(kustomizeDir(repoRoot, 'cluster/logging')) as Obj[];
  const config = collectorConfig() as {
    receivers: { filelog: { include: string[]; operators: { type: string; parse_from?: string }[] } } & Record<
      string,
      unknown
    >;
    processors: Record<string, unknown>;
    exporters: Record<string, unknown>;
    extensions: Record<string, unknown>;
    service: {
      extensions: string[];
      pipelines: Record<string, Record<'receivers' | 'processors' | 'exporters', string[]>>;
    };
  };

  it('ships the committed config, and every component a pipeline names is configured', () => {
    const cm = docs.find((d) => d.kind === 'ConfigMap');
    expect(parse(((cm?.data ?? {}) as Record<string, string>)['config.yaml'] ?? '')).toEqual(config);
    for (const p of Object.values(config.service.pipelines)) {
      for (const r of p.receivers) expect(config.receivers, r).toHaveProperty(r);
      for (const r of p.processors) expect(config.processors, r).toHaveProperty(r);
      for (const r of p.exporters) expect(config.exporters, r).toHaveProperty(r);
    }
    for (const e of config.service.extensions) expect(config.extensions).toHaveProperty(e);
  });

  it("tails each environment's pods, from the path its DaemonSet mounts", () => {
    for (const env of ENVS) {
      const ns = (rendered().rendered[env].docs as Obj[]).find((d) => d.kind === 'Namespace')?.metadata.name;
      expect(config.receivers.filelog.include).toContain(`/var/log/pods/${ns}_*/*/*.log`);
    }
    const ds = docs.find((d) => d.kind === 'DaemonSet');
    const pod = podSpecOf(ds as Obj) as {
      containers: { args: string[]; volumeMounts: { name: string; mountPath: string }[] }[];
      volumes: { name: string; hostPath?: { path: string } }[];
    };
    const [c] = pod.containers;
    expect(c?.args).toContain('--config=/conf/config.yaml');
    const logs = c?.volumeMounts.find((m) => m.mountPath === '/var/log/pods');
    expect(pod.volumes.find((v) => v.name === logs?.name)?.hostPath?.path).toBe('/var/log/pods');
    // host paths are refused in the environments' restricted namespaces: the shipper has its own
    const own = docs.find((d) => d.kind === 'Namespace');
    expect(own?.metadata.name).toBe(LOGGING.namespace);
    expect(labelsOf(own)['pod-security.kubernetes.io/enforce']).toBe('privileged');
    expect(ds?.metadata.namespace).toBe(LOGGING.namespace);
  });

  it("parses the fields a service's log line carries: time, level, msg, and the trace and span ids", () => {
    const lines: Record<string, unknown>[] = [];
    const out = new Writable({
      write(chunk: Buffer, _e, done) {
        lines.push(JSON.parse(chunk.toString()));
        done();
      },
    });
    const tracer = startTracing('log-shape', {
      tracesExporter: 'otlp',
      otlpEndpoint: 'http://127.0.0.1:9/v1/traces',
      zipkinEndpoint: 'http://127.0.0.1:9/api/v2/spans',
      sampleRatio: 1,
    });
    try {
      const log = createLogger('log-shape', 'info', {}, out);
      const span = startSpanFrom('shape', undefined);
      withSpan(span, () => log.info('inside a span'));
      endSpan(span);
    } finally {
      void tracer.shutdown();
    }
    const [line] = lines;
    const filelog = JSON.stringify(config.receivers.filelog);
    for (const field of ['time', 'level', 'msg', 'trace_id', 'span_id']) {
      expect(line, field).toHaveProperty(field);
      expect(filelog, field).toContain(`attributes.${field}`);
    }
    expect(line?.level).toBe('info'); // a name the collector's default severity mapping knows
    expect(String(line?.time)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });
});

describe('docker compose --profile observe (k8s/images)', () => {
  const images = join(repoRoot, 'k8s/images');
  const compose = parse(readFileSync(join(images, 'docker-compose.yml'), 'utf8')) as {
    services: Record<string, { profiles?: string[]; volumes?: string[]; image?: string }>;
  };
  const observe = Object.entries(compose.services).filter(([, s]) => s.profiles?.includes('observe'));
  const mounts = observe.flatMap(([, s]) => s.volumes ?? []).map((v) => v.split(':') as [string, string, string?]);

  it('runs Prometheus, Grafana and Zipkin on files that exist', () => {
    expect(observe.map(([name]) => name).sort()).toEqual(['grafana', 'prometheus', 'zipkin']);
    for (const [from] of mounts) expect(existsSync(resolve(images, from)), from).toBe(true);
    const rules = mounts.find(([from]) => resolve(images, from) === RULES_FILE);
    const dashboards = mounts.find(([from]) => resolve(images, from) === DASHBOARDS_DIR);
    const provider = parse(readFileSync(join(images, 'observe/grafana-dashboards.yml'), 'utf8')) as {
      providers: { options: { path: string } }[];
    };
    expect(provider.providers[0]?.options.path).toBe(dashboards?.[1]);
    expect(readFileSync(join(images, 'observe/prometheus.yml'), 'utf8')).toContain(`"${rules?.[1]}"`);
  });

  it('scrapes every deployable with job = its name, in a config promtool accepts with the rules', () => {
    const text = readFileSync(join(images, 'observe/prometheus.yml'), 'utf8');
    const config = parse(text) as { scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[] };
    for (const d of rendered().r.deployables) {
      const job = config.scrape_configs.find((j) => j.job_name === d.name);
      expect(job?.static_configs[0]?.targets, d.name).toEqual([`127.0.0.1:${d.http.port}`]);
    }
    // the container's rule path → the committed rule file, so promtool loads and checks it too
    const local = join(tempDir('compose-prometheus'), 'prometheus.yml');
    writeFileSync(local, text.replace('/etc/prometheus/rules/wattstream.rules.yml', RULES_FILE));
    const res = run(findPromtool(), ['check', 'config', local]);
    expect(res.stdout + res.stderr).toMatch(/SUCCESS: \d+ rules found/);
    expect(res.status).toBe(0);
  });
});
