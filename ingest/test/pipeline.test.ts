import { type MetricsReceived, TOPIC, TRACKING_METRICS_TABLE } from '@wattstream/contracts';
import { questdbExec, waitForWalApplied } from '@wattstream/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectEdge,
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
    const payload = {
      seq: 42,
      samples: [
        { ts: 1_764_000_000_000, power: 250, cadence: 90.5 },
        { ts: 1_764_000_000_250, hr: 142, rr: [812, 798] },
        { ts: 1_764_000_000_500, speed: 9.75, distance: 1234.5 },
        { ts: 1_764_000_000_750, rr: [801] },
      ],
    };
    const before = Date.now();
    await c.publishAsync(`v1/samples/${athlete}/${device}`, JSON.stringify(payload), { qos: 1 });
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
    const value: MetricsReceived = JSON.parse(r.value!.toString());
    expect(value).toEqual({ athleteId: athlete, deviceId: device, edgeId: edge, seq: 42, samples: payload.samples });
    const headers = Object.fromEntries(Object.entries(r.headers ?? {}).map(([k, v]) => [k, String(v)]));
    expect(headers).toEqual({
      ce_specversion: '1.0',
      ce_type: TOPIC.metricsReceived,
      ce_id: `${device}:42`,
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
});
