import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive, scrapeTimeout } from '../src/index.js';

import { type PromSample, startPrometheus, type TestPrometheus } from '../src/testing/index.js';

/** Polls until `check` returns a truthy value (tools/infra cannot use testkit's waitFor: testkit depends on it). */
async function until<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(250);
  }
}

let prom: TestPrometheus | undefined;
let server: Server | undefined;
let target = '';
let served = 7;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url !== '/metrics') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(`# TYPE demo_value gauge\ndemo_value{service="demo"} ${served}\n`);
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  target = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await prom?.destroy();
  await new Promise((r) => server?.close(r));
});

const first = (rows: PromSample[]) => rows[0];

describe('PrometheusNode', () => {
  it('keeps the scrape timeout under the interval, which Prometheus requires (the main job scrapes every 5 s)', () => {
    expect(scrapeTimeout('5s')).toBe('4500ms');
    expect(scrapeTimeout('1s')).toBe('900ms');
    expect(scrapeTimeout('1m')).toBe('10000ms');
    expect(() => scrapeTimeout('soon')).toThrow(/not a duration/);
  });

  it('scrapes the generated config’s targets and answers PromQL', async () => {
    prom = await startPrometheus({ jobs: [{ job: 'demo', targets: [target] }] });
    const config = readFileSync(prom.node.configFile, 'utf8');
    expect(config).toContain(`job_name: "demo"`);
    expect(config).toContain(`"${target}"`);
    const row = await until(async () => first(await prom!.query('demo_value')), 'demo_value scraped');
    expect(row.metric).toMatchObject({ job: 'demo', service: 'demo', instance: target });
    expect(row.value[1]).toBe('7');
    served = 9;
    await until(async () => (first(await prom!.query('demo_value'))?.value[1] === '9' ? true : undefined), 'new value');
  });

  it('refuses a bad query with Prometheus’ own parse error', async () => {
    await expect(prom!.query('sum(demo_value')).rejects.toThrow(/parse error/);
  });

  it('reloads a rewritten config (a dead target shows as up == 0) through --web.enable-lifecycle', async () => {
    await prom!.node.reload({
      jobs: [
        { job: 'demo', targets: [target] },
        { job: 'gone', targets: ['127.0.0.1:1'] },
      ],
    });
    const row = await until(async () => first(await prom!.query('up{job="gone"}')), 'the new job scraped');
    expect(row.value[1]).toBe('0');
    expect(first(await prom!.query('up{job="demo"}'))?.value[1]).toBe('1');
  });

  it('loads rule files and evaluates them', async () => {
    const rules = `${prom!.dir}/rules.yml`;
    writeFileSync(
      rules,
      'groups:\n  - name: t\n    rules:\n      - record: demo:doubled\n        expr: demo_value * 2\n',
    );
    await prom!.node.reload({ ruleFiles: [rules] });
    const row = await until(async () => first(await prom!.query('demo:doubled')), 'the recording rule');
    expect(Number(row.value[1])).toBe(18);
  });

  it('stops what it started', async () => {
    const pid = prom!.node.service.runningPid();
    expect(pid).toBeGreaterThan(0);
    expect(await prom!.node.stop()).toBe(true);
    expect(isAlive(pid!)).toBe(false);
  });
});
