import { rmSync } from 'node:fs';
import { TOPIC } from '@wattstream/contracts';
import { startKafka, type TestKafka, tempDir } from '@wattstream/infra/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IngestProcess } from './child.js';
import { ackedButMissing, batch, batchIds, Publisher, readToEnd, sleep, uid, until } from './helper.js';

const dataDir = tempDir('ingest-kafka-outage');
const PENDING_BUDGET = 256 * 1024;
let kafka: TestKafka;
let ingest: IngestProcess | undefined;
const publishers: Publisher[] = [];

beforeAll(async () => {
  kafka = await startKafka();
});
afterAll(async () => {
  await Promise.all(publishers.map((p) => p.end()));
  await ingest?.kill('SIGKILL');
  await kafka?.destroy();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('Kafka stopped and restarted under load', () => {
  it('sends no PUBACK while Kafka is down, keeps memory bounded, and has every acknowledged batch afterwards', {
    timeout: 180_000,
  }, async () => {
    ingest = await IngestProcess.create('serve', {
      KAFKA_BROKERS: kafka.brokers,
      DATA_DIR: dataDir,
      INGEST_INSTANCE: uid('outage'),
      KAFKA_MAX_PENDING_BYTES: String(PENDING_BUDGET),
      KAFKA_RETRY_MAX: '500ms',
    });
    await ingest.start();
    const edge = uid('edge');
    const athlete = uid('ath');
    const token = await ingest.token(edge, [athlete]);
    for (let i = 0; i < 8; i++) {
      publishers.push(new Publisher(ingest.mqttUrl, edge, token, athlete, `dev-${i}`, { samples: 100 }));
    }
    const total = 300;
    const runs = publishers.map((p) => p.run(total, 20));
    await until(() => publishers.every((p) => p.acked.size >= 30), 30_000, 'first acknowledgements');
    const rssBefore = ingest.rss();

    await kafka.node.stop();
    await sleep(1500); // acknowledgements of requests Kafka answered before it stopped may still land
    const ackedAtStop = publishers.map((p) => p.acked.size);
    let maxRss = 0;
    let maxPending = 0;
    let maxWaiting = 0;
    for (let i = 0; i < 20; i++) {
      await sleep(250);
      maxRss = Math.max(maxRss, ingest.rss());
      maxPending = Math.max(maxPending, await ingest.metric('wattstream_ingest_kafka_pending_bytes'));
      maxWaiting = Math.max(maxWaiting, await ingest.metric('wattstream_ingest_kafka_waiting_publishes'));
    }
    expect(publishers.map((p) => p.acked.size)).toEqual(ackedAtStop); // no PUBACK while down
    expect(ackedAtStop.every((n) => n < total)).toBe(true);
    expect(await ingest.metric('wattstream_ingest_backpressure')).toBe(1);
    // The publishers have far more outstanding than ingest holds: the rest waits unread in the
    // sockets (aedes reads a connection's next chunk only when its last one is done) or for budget.
    const outstanding = publishers.reduce((n, p) => n + p.inFlightCount, 0) * JSON.stringify(batch(0, 100)).length;
    expect(outstanding).toBeGreaterThan(3 * PENDING_BUDGET);
    expect(maxPending).toBeLessThanOrEqual(PENDING_BUDGET);
    expect(maxPending + maxWaiting).toBeGreaterThan(0);
    // Publishers kept trying the whole time; ingest's memory did not follow them.
    expect(maxRss).toBeLessThan(rssBefore + 64 * 1024 * 1024);

    await kafka.node.start();
    await Promise.race([
      Promise.all(runs),
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error('publishers did not finish after Kafka came back')), 90_000),
      ),
    ]);
    expect(await ingest.metric('wattstream_ingest_backpressure')).toBe(0);
    expect(await ingest.metric('wattstream_ingest_kafka_produce_errors_total')).toBeGreaterThan(0); // retried

    const records = await readToEnd(kafka.brokers, TOPIC.metricsReceived, (m) => m.key?.toString() === athlete);
    expect(ackedButMissing(publishers, records)).toEqual([]);
    expect(batchIds(records).size).toBe(8 * total);
  });
});
