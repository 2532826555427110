import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { freePort, promQuery, tempDir } from '@wattstream/infra/testing';
import { loadConfig } from '@wattstream/platform';
import { waitFor } from '@wattstream/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launcherConfig, Observer, Pipeline } from '../src/index.js';

/** `pipeline up --observe` without the whole main job: the Observer against one stand-in target. */
let server: Server;
let target = '';
let observer: Observer | undefined;

beforeAll(async () => {
  server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end('# TYPE wattstream_sink_lag_records gauge\nwattstream_sink_lag_records{service="sink",partition="0"} 0\n');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  target = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await observer?.down();
  await new Promise((r) => server.close(r));
});

describe('pipeline up --observe', () => {
  it('scrapes every service of the main job, one job per service at its /metrics port', () => {
    const dataDir = tempDir('launcher-observe');
    const p = new Pipeline(loadConfig(launcherConfig, { DATA_DIR: dataDir }));
    const jobs = p.scrapeTargets().map((t) => t.job);
    expect(jobs).toEqual(p.serviceNames);
    expect(jobs).toEqual(expect.arrayContaining(['ingest', 'sink', 'stream-worker', 'live', 'gateway']));
    expect(p.observer.node.opts.port).toBe(loadConfig(launcherConfig, {}).prometheusPort);
    expect(p.observer.node.opts.interval).toBe('5s');
  });

  it('starts Prometheus with the rules loaded, a short `for` on request, and is idempotent', async () => {
    const dir = tempDir('observer');
    observer = new Observer({
      dir,
      port: await freePort(),
      intervalMs: 1000,
      alertFor: '2s',
      zipkinPort: await freePort(),
      traceRatio: 1,
      targets: [
        { job: 'sink', target },
        { job: 'ingest', target: '127.0.0.1:1' },
      ],
    });
    const url = await observer.up();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(readFileSync(join(dir, 'prometheus', 'wattstream.rules.yml'), 'utf8')).toMatch(
      /alert: SinkLag[\s\S]*?for: 2s/,
    );
    await waitFor(async () => (await promQuery(url, 'up{job="sink"} == 1')).length === 1, {
      timeoutMs: 30_000,
      what: 'the sink target up',
    });
    // the dead one pages as TargetDown once its short `for` has passed
    await waitFor(
      async () => {
        const res = (await (await fetch(`${url}/api/v1/alerts`)).json()) as {
          data: { alerts: { labels: Record<string, string>; state: string }[] };
        };
        return res.data.alerts.some(
          (a) => a.labels.alertname === 'TargetDown' && a.labels.job === 'ingest' && a.state === 'firing',
        );
      },
      { timeoutMs: 30_000, what: 'TargetDown for the dead target' },
    );
    const pid = observer.node.service.runningPid();
    expect(await observer.up()).toBe(url);
    expect(observer.node.service.runningPid()).toBe(pid);
    expect(await observer.down()).toEqual(['prometheus']);
    expect(observer.running()).toBe(false);
  }, 90_000);
});
