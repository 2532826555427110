import { randomUUID } from 'node:crypto';
import { freePort } from '@wattstream/infra';
import type { Sink } from '@wattstream/ingest';
import { waitFor } from '@wattstream/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { doctorRow, examine, parseMetrics, renderDoctor, verdict } from '../src/index.js';
import { startTestSink } from './support.js';

describe('doctor: parsing and verdicts', () => {
  it('parses the exposition format, labels with escapes included', () => {
    const s = parseMetrics(
      [
        '# HELP x y',
        '# TYPE wattstream_http_requests_total counter',
        'wattstream_http_requests_total{method="GET",route="/a",status="200",service="t"} 997',
        'wattstream_http_requests_total{method="GET",route="/a\\"b",status="503",service="t"} 3',
        'wattstream_outbox_backlog{service="t"} 12',
        'wattstream_outbox_oldest_unsent_seconds{service="t"} 75.5',
        'wattstream_consumer_lag{topic="a",group="g",partition="0"} 4',
        'wattstream_consumer_lag{topic="a",group="g",partition="1"} 6',
        '',
      ].join('\n'),
    );
    expect(s[1]?.labels.route).toBe('/a"b');
    const row = doctorRow('training', 'ok', s);
    expect(row).toMatchObject({ lag: 10, backlog: 12, oldestSeconds: 75.5, requests: 1000, errorRatio: 0.003 });
    expect(verdict(row)).toBe('WARN');
    expect(verdict({ ...row, errorRatio: 0, oldestSeconds: 1 })).toBe('OK');
    expect(verdict(doctorRow('x', 'down', []))).toBe('DOWN');
    expect(doctorRow('x', 'ok', [])).toMatchObject({ lag: undefined, errorRatio: undefined });
  }, 90_000);
});

describe('doctor against running services', () => {
  let sink: Sink;
  let address = '';
  beforeAll(async () => {
    const port = await freePort();
    address = `127.0.0.1:${port}`;
    const id = `doctor-${randomUUID().slice(0, 8)}`;
    sink = await startTestSink(port, id);
  });
  afterAll(() => sink?.close());

  it('prints one line per service, the dead one first, the live sink with its lag', async () => {
    // The sink is ready once its consumer has partitions and its lag gauge a value. Its fresh group
    // starts at the earliest offset of the suite's shared topic, so it is OK once it has caught up.
    await waitFor(
      async () => {
        const r = await examine({ name: 'sink', address });
        return r.health === 'ready' && r.lag !== undefined && verdict(r) === 'OK';
      },
      { timeoutMs: 75_000, what: 'the sink ready and caught up (lag ≤ 1000)' },
    );
    const rows = await Promise.all([
      examine({ name: 'sink', address }),
      examine({ name: 'training', address: '127.0.0.1:1' }),
    ]);
    const table = renderDoctor(rows, ['page SinkLag slo=sink_lag']);
    const lines = table.trimEnd().split('\n');
    expect(lines[0]).toMatch(/service\s+health\s+lag\s+outbox\s+oldest\s+5xx/);
    expect(lines[1]).toMatch(/^DOWN\s+training\s+down/);
    expect(lines[2]).toMatch(/^OK\s+sink\s+ready\s+\d+/);
    expect(table).toContain('Prometheus: 1 firing\n  page SinkLag slo=sink_lag');
    expect(rows[0]?.lag).toBeGreaterThanOrEqual(0);
  }, 90_000);
});
