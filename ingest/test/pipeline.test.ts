import { createHash } from 'node:crypto';
import { TOPIC, TRACKING_METRICS_TABLE } from '@wattstream/contracts';
import { questdbExec, waitForWalApplied } from '@wattstream/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectEdge,
  header,
  questdbHttp,
  readToEnd,
  startTestIngest,
  startTestSink,
  type TestIngest,
  uid,
  until,
} from './helper.js';

let ingest: TestIngest;
let sink: Awaited<ReturnType<typeof startTestSink>>;

beforeAll(async () => {
  ingest = await startTestIngest();
  sink = await startTestSink();
});
afterAll(async () => {
  await sink?.close();
  await ingest?.stop();
});

describe('MQTT → Kafka → QuestDB', () => {
  it('a valid QoS 1 batch becomes exactly the contract record in Kafka, then its rows in QuestDB', {
    timeout: 90_000,
  }, async () => {
    const edge = uid('edge');
    const athlete = uid('ath');
    const device = uid('pm');
    const c = await connectEdge(`mqtt://127.0.0.1:${ingest.ports.mqtt}`, {
      clientId: edge,
      username: edge,
      password: await ingest.token(edge, [athlete]),
      clean: false,
    });
    // What an edge may send and JSON.parse accepts: a duplicate key (only the last value is
    // validated), other spellings of numbers, keys in any order.
    const payload =
      '{"samples":[{"power":5000,"ts":1764000000000,"power":250,"cadence":9.05e1},' +
      '{"hr":142,"ts":1764000000250.0,"rr":[812,798]},' +
      '{"ts":1764000000500,"distance":1234.50,"speed":975E-2},' +
      '{"ts":1764000000750,"rr":[801]}],"seq":42}';
    const before = Date.now();
    await c.publishAsync(`v1/samples/${athlete}/${device}`, payload, { qos: 1 });
    const after = Date.now();
    c.end(true);

    const records = await readToEnd(
      ingest.env.KAFKA_BROKERS!,
      TOPIC.metricsReceived,
      (m) => m.key?.toString() === athlete,
    );
    expect(records).toHaveLength(1);
    const r = records[0]!;
    expect(r.key?.toString()).toBe(athlete);
    // Exactly the validated value, canonically encoded: keys in schema order, one spelling per number.
    const canonical =
      '{"seq":42,"samples":[{"ts":1764000000000,"power":250,"cadence":90.5},' +
      '{"ts":1764000000250,"hr":142,"rr":[812,798]},' +
      '{"ts":1764000000500,"speed":9.75,"distance":1234.5},' +
      '{"ts":1764000000750,"rr":[801]}]}';
    expect(r.value!.toString()).toBe(
      `{"athleteId":"${athlete}","deviceId":"${device}","edgeId":"${edge}",${canonical.slice(1)}`,
    );
    const headers = Object.fromEntries(Object.entries(r.headers ?? {}).map(([k, v]) => [k, String(v)]));
    expect(headers).toEqual({
      ce_specversion: '1.0',
      ce_type: TOPIC.metricsReceived,
      ce_id: `${athlete}/${device}/42/${createHash('sha256').update(canonical).digest('hex').slice(0, 16)}`,
      ce_source: `/edges/${edge}`,
      ce_time: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      'content-type': 'application/json',
    });
    const t = Date.parse(headers.ce_time!);
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(after);

    // The sink: rows per sample with a metric (the rr-only sample has no column in the table).
    const q = `select ts, athlete_id, device_id, hr, power, cadence, speed, distance from ${TRACKING_METRICS_TABLE} where athlete_id = '${athlete}' order by ts`;
    const rows = await until(
      async () => {
        await waitForWalApplied(questdbHttp(), TRACKING_METRICS_TABLE).catch(() => {});
        const res = await questdbExec(questdbHttp(), q).catch(() => undefined);
        return res && res.count === 3 ? res.dataset : undefined;
      },
      30_000,
      'rows in QuestDB',
    );
    expect(rows).toEqual([
      ['2025-11-24T16:00:00.000000Z', athlete, device, null, 250, 90.5, null, null],
      ['2025-11-24T16:00:00.250000Z', athlete, device, 142, null, null, null, null],
      ['2025-11-24T16:00:00.500000Z', athlete, device, null, null, null, 9.75, 1234.5],
    ]);
    expect(await sink.registry.getSingleMetricAsString('wattstream_sink_rows_total')).toMatch(/ \d+$/m);
  });

  it('one identity per batch: a redelivery keeps its ce_id, a reused seq with other samples gets another and both reach QuestDB', {
    timeout: 90_000,
  }, async () => {
    const edge = uid('edge');
    const athlete = uid('ath');
    const c = await connectEdge(`mqtt://127.0.0.1:${ingest.ports.mqtt}`, {
      clientId: edge,
      username: edge,
      password: await ingest.token(edge, [athlete]),
    });
    const first = JSON.stringify({ seq: 5, samples: [{ ts: 1_764_000_100_000, power: 200 }] });
    const redelivery = '{"seq":5,"samples":[{"power":200,"ts":1764000100000}]}'; // same content, other bytes
    const reused = JSON.stringify({ seq: 5, samples: [{ ts: 1_764_000_200_000, power: 300 }] });
    for (const p of [first, redelivery, reused]) await c.publishAsync(`v1/samples/${athlete}/pm`, p, { qos: 1 });
    c.end(true);

    const records = await readToEnd(
      ingest.env.KAFKA_BROKERS!,
      TOPIC.metricsReceived,
      (m) => m.key?.toString() === athlete,
    );
    const ids = records.map((m) => header(m, 'ce_id'));
    expect(ids).toHaveLength(3);
    for (const id of ids) expect(id).toMatch(new RegExp(`^${athlete}/pm/5/[0-9a-f]{16}$`));
    expect(ids[1]).toBe(ids[0]);
    expect(ids[2]).not.toBe(ids[0]);

    // History has both batches' samples, once each (the redelivery upserts the same row).
    const q = `select ts, power from ${TRACKING_METRICS_TABLE} where athlete_id = '${athlete}' order by ts`;
    const rows = await until(
      async () => {
        await waitForWalApplied(questdbHttp(), TRACKING_METRICS_TABLE).catch(() => {});
        const res = await questdbExec(questdbHttp(), q).catch(() => undefined);
        return res && res.count === 2 ? res.dataset : undefined;
      },
      30_000,
      'rows in QuestDB',
    );
    expect(rows).toEqual([
      ['2025-11-24T16:01:40.000000Z', 200],
      ['2025-11-24T16:03:20.000000Z', 300],
    ]);
  });
});
