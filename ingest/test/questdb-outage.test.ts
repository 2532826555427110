import { TRACKING_METRICS_TABLE } from '@wattstream/contracts';
import { startQuestDb, type TestQuestDb } from '@wattstream/infra/testing';
import { metricFromText, questdbExec, waitForWalApplied } from '@wattstream/platform';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batch, connectEdge, startTestIngest, startTestSink, type TestIngest, uid, until } from './helper.js';

let qdb: TestQuestDb;
let ingest: TestIngest;
let sink: Awaited<ReturnType<typeof startTestSink>>;
let edge: MqttClient;

beforeAll(async () => {
  [qdb, ingest] = await Promise.all([startQuestDb(), startTestIngest()]);
  sink = await startTestSink({ QUESTDB_HTTP: qdb.httpUrl, SINK_RETRY_MAX: '500ms', SINK_REQUEST_TIMEOUT: '2s' });
});
afterAll(async () => {
  edge?.end(true);
  await sink?.close();
  await ingest?.stop();
  await qdb?.destroy();
});

async function rowCount(athlete: string): Promise<number> {
  await waitForWalApplied(qdb.httpUrl, TRACKING_METRICS_TABLE);
  const r = await questdbExec(
    qdb.httpUrl,
    `select count() from ${TRACKING_METRICS_TABLE} where athlete_id = '${athlete}'`,
  );
  return Number(r.dataset[0]?.[0] ?? 0);
}

const gauge = async (name: string) => metricFromText(await sink.registry.metrics(), name);

describe('QuestDB stopped and restarted', () => {
  it('the sink holds its offsets, exposes its lag, catches up, and the row count equals the distinct samples', {
    timeout: 150_000,
  }, async () => {
    const edgeId = uid('edge');
    const athlete = uid('ath');
    edge = await connectEdge(`mqtt://127.0.0.1:${ingest.ports.mqtt}`, {
      clientId: edgeId,
      username: edgeId,
      password: await ingest.token(edgeId, [athlete]),
    });
    const publish = (from: number, to: number) =>
      Promise.all(
        Array.from({ length: to - from }, (_, i) =>
          edge.publishAsync(`v1/samples/${athlete}/d1`, JSON.stringify(batch(from + i, 10)), { qos: 1 }),
        ),
      );

    await publish(0, 20);
    await publish(0, 5); // a replay: same samples again, deduplicated by the table
    await until(async () => (await rowCount(athlete)) === 200, 30_000, '200 rows');

    await qdb.node.stop();
    await publish(20, 40); // Kafka has them; QuestDB does not
    await until(async () => (await gauge('wattstream_sink_questdb_up')) === 0, 30_000, 'the sink to notice');
    const lagWhileDown = await sink.lag();
    expect(Object.values(lagWhileDown).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(await gauge('wattstream_sink_write_failures_total')).toBeGreaterThan(0);

    await qdb.node.start();
    await until(async () => (await rowCount(athlete).catch(() => 0)) >= 400, 60_000, 'catch-up');
    expect(await rowCount(athlete)).toBe(400);
    await until(async () => Object.values(await sink.lag()).every((n) => n === 0), 30_000, 'lag back to 0');
    expect(await gauge('wattstream_sink_questdb_up')).toBe(1);
  });
});
