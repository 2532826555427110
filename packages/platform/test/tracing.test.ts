import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  activeTraceIds,
  contextFrom,
  endSpan,
  isSampled,
  loadConfig,
  SpanKind,
  startSpanFrom,
  startTracing,
  traceparentOf,
  traceparentOfSpan,
  tracing,
  tracingConfig,
  withSpan,
} from '../src/index.js';

interface ZipkinSpan {
  traceId: string;
  id: string;
  parentId?: string;
  name: string;
  kind?: string;
  localEndpoint?: { serviceName?: string };
  tags?: Record<string, string>;
}

const TP = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/;

// A Zipkin v2 span intake: what ZipkinExporter POSTs, kept for the assertions.
let intake: Server;
const received: ZipkinSpan[] = [];
let endpoint = '';

beforeAll(async () => {
  intake = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/api/v2/spans') {
        received.push(...(JSON.parse(Buffer.concat(chunks).toString()) as ZipkinSpan[]));
      }
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((r) => intake.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(intake.address() as AddressInfo).port}/api/v2/spans`;
});
afterAll(async () => {
  await tracing().shutdown();
  await new Promise((r) => intake.close(r));
});

describe('tracing off (the default)', () => {
  it('reads OTEL_TRACES_EXPORTER=none by default and records nothing', () => {
    const cfg = loadConfig(tracingConfig, {});
    expect(cfg.tracesExporter).toBe('none');
    expect(startTracing('test', cfg).enabled).toBe(false);
    const span = startSpanFrom('nothing', undefined);
    expect(span.isRecording()).toBe(false);
    expect(traceparentOfSpan(span)).toBeUndefined();
    expect(traceparentOf()).toBeUndefined();
  });

  it('rejects an unknown exporter and a ratio outside 0–1, naming the variable', () => {
    expect(() => loadConfig(tracingConfig, { OTEL_TRACES_EXPORTER: 'jaeger' })).toThrow(/OTEL_TRACES_EXPORTER/);
    expect(() => loadConfig(tracingConfig, { OTEL_TRACES_SAMPLER_ARG: '2' })).toThrow(/OTEL_TRACES_SAMPLER_ARG/);
  });

  it('reads the sampled flag of a traceparent and ignores malformed ones', () => {
    expect(isSampled('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')).toBe(true);
    expect(isSampled('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00')).toBe(false);
    expect(isSampled('not-a-traceparent')).toBe(false);
    expect(isSampled(undefined)).toBe(false);
    expect(traceparentOf(contextFrom('garbage'))).toBeUndefined();
  });
});

describe('tracing to Zipkin', () => {
  it('continues a trace across a traceparent, tags errors, and exports every span with the service name', async () => {
    const t = startTracing(
      'tracing-test',
      loadConfig(tracingConfig, { OTEL_TRACES_EXPORTER: 'zipkin', OTEL_EXPORTER_ZIPKIN_ENDPOINT: endpoint }),
    );
    expect(t.enabled).toBe(true);

    const root = t.tracer.startSpan('edge batch', { kind: SpanKind.PRODUCER });
    const rootTp = traceparentOfSpan(root);
    root.end();
    expect(rootTp).toMatch(TP);
    expect(isSampled(rootTp)).toBe(true);
    const [, traceId, rootId] = TP.exec(rootTp!)!;

    // The next hop only has the header: its span is a child in the same trace.
    const child = startSpanFrom('ingest samples', rootTp, { kind: SpanKind.CONSUMER });
    const childTp = traceparentOfSpan(child)!;
    expect(TP.exec(childTp)![1]).toBe(traceId);
    expect(TP.exec(childTp)![2]).not.toBe(rootId);

    // Inside withSpan, logs (activeTraceIds) and outgoing headers (traceparentOf) use that span.
    const inside = withSpan(child, () => ({ ids: activeTraceIds(), tp: traceparentOf() }));
    expect(inside.ids).toEqual({ trace_id: traceId, span_id: TP.exec(childTp)![2] });
    expect(inside.tp).toBe(childTp);
    expect(activeTraceIds()).toEqual({});
    endSpan(child, new Error('kafka is down'));

    await t.flush();
    const spans = received.filter((s) => s.traceId === traceId);
    expect(spans.map((s) => s.name).sort()).toEqual(['edge batch', 'ingest samples']);
    const ingest = spans.find((s) => s.name === 'ingest samples')!;
    expect(ingest.parentId).toBe(rootId);
    expect(ingest.kind).toBe('CONSUMER');
    expect(ingest.localEndpoint?.serviceName).toBe('tracing-test');
    expect(ingest.tags?.error).toBe('kafka is down');
  });
});
