import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '@wattstream/infra';
import { promQuery, startPrometheus, type TestPrometheus } from '@wattstream/infra/testing';
import type { Sink } from '@wattstream/ingest';
import { waitFor } from '@wattstream/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allQueries, DASHBOARDS, DASHBOARDS_DIR, RULES_FILE, renderDashboards } from '../src/index.js';
import { startTestSink } from './support.js';

/**
 * Dashboards as code, checked against a real Prometheus: every panel's PromQL parses, and every
 * query whose metrics exist in this test's scrape (a real QuestDB sink on the suite's Kafka and
 * QuestDB, Prometheus itself, the committed rules) returns series.
 */
let prom: TestPrometheus;
let sink: Sink;

beforeAll(async () => {
  const port = await freePort();
  const id = `dash-${randomUUID().slice(0, 8)}`;
  sink = await startTestSink(port, id);
  prom = await startPrometheus({ jobs: [{ job: 'sink', targets: [`127.0.0.1:${port}`] }], ruleFiles: [RULES_FILE] });
  await waitFor(async () => (await prom.query('wattstream:sink_lag_seconds')).length > 0, {
    timeoutMs: 60_000,
    what: 'the sink scraped and the rules evaluated',
  });
});
afterAll(async () => {
  await prom?.destroy();
  await sink?.close();
});

/** Grafana's interval variables, as a real Grafana would substitute them. */
const concrete = (expr: string) => expr.replaceAll('$__rate_interval', '1m');
/** The metric and recording-rule names a query reads. */
const metricsOf = (expr: string) => [...new Set(expr.match(/\b(?:wattstream[_:][a-z0-9_:]+|slo:[a-z0-9_:]+)/g) ?? [])];

describe('dashboards', () => {
  it('the committed JSON is what src/dashboards.ts generates (run `pnpm --filter @wattstream/observability generate`)', () => {
    const rendered = renderDashboards();
    expect(readdirSync(DASHBOARDS_DIR).sort()).toEqual([...rendered.keys()].sort());
    for (const [name, text] of rendered) expect(readFileSync(join(DASHBOARDS_DIR, name), 'utf8'), name).toBe(text);
  });

  it('covers Training, Tracking, Social, Integrations, Gateway, Ingest and Stream with Prometheus panels', () => {
    expect(DASHBOARDS.map((d) => d.title)).toEqual([
      'Training',
      'Tracking',
      'Social',
      'Integrations',
      'Gateway',
      'Ingest',
      'Stream',
    ]);
    for (const [name, text] of renderDashboards()) {
      const d = JSON.parse(text) as { uid: string; panels: { type: string; targets?: { expr: string }[] }[] };
      const panels = d.panels.filter((p) => p.type !== 'row');
      expect(panels.length, name).toBeGreaterThanOrEqual(4);
      for (const p of panels) expect(p.targets?.length, `${name}: a panel without a query`).toBeGreaterThan(0);
    }
  });

  it('every panel query parses on the real Prometheus', async () => {
    const failures: string[] = [];
    for (const [uid, title, expr] of allQueries()) {
      await promQuery(prom.url, concrete(expr)).catch((err: Error) =>
        failures.push(`${uid} / ${title}: ${err.message}`),
      );
    }
    expect(failures).toEqual([]);
  });

  it('a query whose metrics are scraped returns series', async () => {
    const known = new Set(
      ((await (await fetch(`${prom.url}/api/v1/label/__name__/values`)).json()) as { data: string[] }).data,
    );
    const checkable = allQueries().filter(([, , expr]) => {
      const names = metricsOf(expr);
      return names.length > 0 && names.every((n) => known.has(n));
    });
    // the sink's own panels at least: lag by partition, catch-up time, rows/s, QuestDB up
    expect(checkable.length).toBeGreaterThanOrEqual(4);
    for (const [uid, title, expr] of checkable) {
      await waitFor(async () => (await promQuery(prom.url, concrete(expr))).length > 0, {
        timeoutMs: 30_000,
        what: `series for ${uid} / ${title}: ${expr}`,
      });
    }
  }, 120_000);
});
