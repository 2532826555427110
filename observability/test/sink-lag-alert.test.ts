import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { freePort } from '@wattstream/infra';
import { startPrometheus, type TestPrometheus } from '@wattstream/infra/testing';
import type { Sink } from '@wattstream/ingest';
import { waitFor } from '@wattstream/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeRules } from '../src/index.js';
import { startTestSink } from './support.js';

/**
 * End to end on the smallest real subset of the main job: the QuestDB sink (real Kafka and QuestDB
 * from the global setup) scraped by a real Prometheus that loads the generated rules with short
 * `for`s. Stopping the sink fires SinkLag; starting it again on the same port resolves it.
 */
interface ApiAlert {
  labels: Record<string, string>;
  state: 'pending' | 'firing';
}

let prom: TestPrometheus;
let sink: Sink | undefined;
let sinkPort = 0;
const group = `sink-e2e-${randomUUID().slice(0, 8)}`;

const startTheSink = () => startTestSink(sinkPort, group);

async function alerts(name: string): Promise<ApiAlert[]> {
  const res = await fetch(`${prom.url}/api/v1/alerts`);
  const body = (await res.json()) as { data: { alerts: ApiAlert[] } };
  return body.data.alerts.filter((a) => a.labels.alertname === name);
}
const firing = async (name: string) => (await alerts(name)).some((a) => a.state === 'firing');

beforeAll(async () => {
  sinkPort = await freePort();
  sink = await startTheSink();
  prom = await startPrometheus({ jobs: [{ job: 'sink', targets: [`127.0.0.1:${sinkPort}`] }] });
  const rules = writeRules(join(prom.dir, 'wattstream.rules.yml'), {
    timings: { sinkLag: '3s', targetDown: '3s' },
  });
  await prom.node.reload({ ruleFiles: [rules] });
});
afterAll(async () => {
  await sink?.close();
  await prom?.destroy();
});

describe('SinkLag on a real Prometheus', () => {
  it('is loaded and quiet while the sink runs and keeps up', async () => {
    await waitFor(
      async () => {
        const res = (await (await fetch(`${prom.url}/api/v1/rules?type=alert`)).json()) as {
          data: { groups: { rules: { name: string }[] }[] };
        };
        return res.data.groups.some((g) => g.rules.some((r) => r.name === 'SinkLag'));
      },
      { timeoutMs: 30_000, what: 'the rules loaded' },
    );
    await waitFor(async () => (await prom.query('up{job="sink"} == 1')).length === 1, {
      timeoutMs: 30_000,
      what: 'the sink scraped',
    });
    // wattstream:sink_lag_seconds evaluates from the sink's own series (so the rule sees the real metric)
    await waitFor(async () => (await prom.query('wattstream:sink_lag_seconds')).length === 1, {
      timeoutMs: 30_000,
      what: 'the sink-lag recording rule',
    });
    await waitFor(async () => (await alerts('SinkLag')).length === 0, { timeoutMs: 60_000, what: 'SinkLag quiet' });
  }, 150_000);

  it('fires within its `for` window once the sink is stopped', async () => {
    const stoppedAt = Date.now();
    await sink!.close();
    sink = undefined;
    await waitFor(() => firing('SinkLag'), { timeoutMs: 60_000, intervalMs: 250, what: 'SinkLag firing' });
    // for: 3s, scrape/eval every 1 s: never before the `for` has passed
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(3_000);
    const [alert] = await alerts('SinkLag');
    expect(alert?.labels).toMatchObject({ severity: 'page', slo: 'sink_lag' });
    expect(await firing('TargetDown')).toBe(true);
  }, 90_000);

  it('resolves after the sink is started again', async () => {
    sink = await startTheSink();
    await waitFor(async () => (await alerts('SinkLag')).length === 0, {
      timeoutMs: 60_000,
      intervalMs: 250,
      what: 'SinkLag resolved',
    });
    expect((await prom.query('up{job="sink"}'))[0]?.value[1]).toBe('1');
  }, 90_000);
});
