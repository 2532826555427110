import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, KafkaNode, newClusterId } from '../src/index.js';
import { tempDir } from '../src/testing/index.js';

describe('Kafka cluster ids', () => {
  it('never starts with "-", like Kafka’s own Uuid.randomUuid()', () => {
    // One id in 64 starts with "-" when drawn naively: 20,000 draws miss that with p ≈ 1e-137.
    for (let i = 0; i < 20_000; i++) {
      const id = newClusterId();
      expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    }
  });

  it('formats and starts a broker whose stored id starts with "-" (the id is never read as a flag)', async () => {
    const dir = tempDir('kafka-dash-id');
    const id = '-kpJ8SVoegELwy0GF9wDaw';
    writeFileSync(join(dir, 'cluster.id'), id);
    const node = new KafkaNode({
      dir,
      port: await freePort(),
      controllerPort: await freePort(),
      logLevel: 'WARN',
      heap: '384m',
    });
    try {
      await node.start();
      expect(readFileSync(join(dir, 'data', 'meta.properties'), 'utf8')).toContain(`cluster.id=${id}`);
    } finally {
      await node.stop();
    }
  }, 120_000);
});
