import { rmSync } from 'node:fs';
import { compile, SampleBatch } from '@wattstream/contracts';
import { tempDir } from '@wattstream/infra/testing';
import { loadConfig, startTracing, tracingConfig } from '@wattstream/platform';
import { afterAll, describe, expect, it } from 'vitest';
import { Batcher } from '../src/publish/batcher.js';
import { DiskQueue } from '../src/queue/disk-queue.js';

const validBatch = compile(SampleBatch);
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function sealOne(batcher: (q: DiskQueue) => Batcher) {
  const dir = tempDir('edge-trace');
  dirs.push(dir);
  const q = DiskQueue.open({ dir, budgetBytes: 1 << 20 });
  const b = batcher(q);
  b.add('ath-1', 'hr-1', 1_764_000_000_000, { hr: 120 });
  b.add('ath-1', 'hr-1', 1_764_000_001_000, { hr: 121 });
  expect(b.flush()).toBe(1);
  await q.commit();
  const body = JSON.parse(q.next()!.body.toString()) as Record<string, unknown>;
  await q.close();
  return body;
}

describe('Batcher trace context', () => {
  it('writes no traceparent without tracing (the default), and the batch stays a valid v1 SampleBatch', async () => {
    const body = await sealOne((q) => new Batcher(q));
    expect(body).not.toHaveProperty('traceparent');
    expect(validBatch.validate(body).ok).toBe(true);
  });

  it('puts each batch in a new trace and carries its context in the batch', async () => {
    // An exporter that nothing listens for: spans are dropped, the context is what is tested.
    const tracing = startTracing(
      'edge-test',
      loadConfig(tracingConfig, {
        OTEL_TRACES_EXPORTER: 'zipkin',
        OTEL_EXPORTER_ZIPKIN_ENDPOINT: 'http://127.0.0.1:9/api/v2/spans',
      }),
    );
    const a = await sealOne((q) => new Batcher(q, tracing));
    const b = await sealOne((q) => new Batcher(q, tracing));
    expect(a.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(validBatch.validate(a).ok).toBe(true);
    expect(String(a.traceparent).slice(3, 35)).not.toBe(String(b.traceparent).slice(3, 35));
    await tracing.shutdown();
  });

  it('carries the context of a batch the sampler left out too, flagged not sampled, so later hops keep that decision', async () => {
    const tracing = startTracing(
      'edge-test',
      loadConfig(tracingConfig, {
        OTEL_TRACES_EXPORTER: 'zipkin',
        OTEL_EXPORTER_ZIPKIN_ENDPOINT: 'http://127.0.0.1:9/api/v2/spans',
        OTEL_TRACES_SAMPLER_ARG: '0',
      }),
    );
    const body = await sealOne((q) => new Batcher(q, tracing));
    expect(body.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    expect(validBatch.validate(body).ok).toBe(true);
    await tracing.shutdown();
  });
});
