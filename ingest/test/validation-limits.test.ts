import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { type MetricsRejected, TOPIC } from '@wattstream/contracts';
import { tempDir } from '@wattstream/infra/testing';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batch, connectEdge, header, nextMessage, readToEnd, startTestIngest, type TestIngest, uid } from './helper.js';
import { RawClient } from './raw.js';

let ingest: TestIngest;
let url: string;
const clients: MqttClient[] = [];
const certDir = tempDir('tls');

beforeAll(async () => {
  // A self-signed certificate for the TLS listener.
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-keyout',
      join(certDir, 'key.pem'),
      '-out',
      join(certDir, 'cert.pem'),
    ],
    { stdio: 'ignore' },
  );
  ingest = await startTestIngest({
    MQTT_MAX_PACKET_SIZE: '64KiB',
    MQTT_TLS_CERT: join(certDir, 'cert.pem'),
    MQTT_TLS_KEY: join(certDir, 'key.pem'),
  });
  url = `mqtt://127.0.0.1:${ingest.ports.mqtt}`;
});
afterAll(async () => {
  for (const c of clients) c.end(true);
  await ingest?.stop();
  rmSync(certDir, { recursive: true, force: true });
});

async function edgeClient(athletes: string[], extra: Record<string, unknown> = {}, at = url) {
  const edge = uid('edge');
  const c = await connectEdge(at, {
    clientId: edge,
    username: edge,
    password: await ingest.token(edge, athletes),
    ...(at.startsWith('mqtts') ? { rejectUnauthorized: false } : {}),
    ...extra,
  });
  clients.push(c);
  return { edge, c };
}

describe('validation', () => {
  const cases: [string, string | Buffer, string, RegExp][] = [
    ['malformed JSON', '{"seq": 1, "samples": [', 'WS_CONTRACT_MALFORMED_JSON', /not JSON/],
    [
      'a schema violation',
      JSON.stringify({ seq: 2, samples: [{ ts: 1_764_000_000_000, power: 100, torque: 3 }] }),
      'WS_CONTRACT_SCHEMA',
      /unknown field "torque"/,
    ],
    [
      'an out-of-range value',
      JSON.stringify({ seq: 3, samples: [{ ts: 1_764_000_000_000, power: 5000 }] }),
      'WS_CONTRACT_SCHEMA',
      /samples\/0\/power: must be <= 3000/,
    ],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), 'WS_CONTRACT_NOT_UTF8', /UTF-8/],
    [
      'a sample a day ahead of the time of receipt',
      JSON.stringify({
        seq: 4,
        samples: [
          { ts: Date.now(), power: 100 },
          { ts: Date.now() + 86_400_000, power: 100 },
        ],
      }),
      'WS_CONTRACT_TS_IN_FUTURE',
      /samples\/1: ts \d+ is \d+ ms ahead of the time of receipt .* at most 30000 ms is allowed/,
    ],
  ];

  it.each(cases)(
    '%s → PUBACK, a tracking.metrics.rejected record, an EdgeError to the edge',
    async (_name, payload, code, reason) => {
      const athlete = uid('ath');
      const { edge, c } = await edgeClient([athlete]);
      await c.subscribeAsync(`v1/errors/${edge}`, { qos: 1 });
      const error = nextMessage(c, `v1/errors/${edge}`);
      const topic = `v1/samples/${athlete}/dev-1`;
      await c.publishAsync(topic, payload, { qos: 1 }); // resolves on PUBACK
      const e = JSON.parse((await error).toString());
      expect(e).toMatchObject({ code, topic });
      expect(e.message).toMatch(reason);

      const rejected = await readToEnd(
        ingest.env.KAFKA_BROKERS!,
        TOPIC.metricsRejected,
        (m) => m.key?.toString() === edge,
      );
      expect(rejected).toHaveLength(1);
      const r = rejected[0]!;
      const value = JSON.parse(r.value!.toString()) as MetricsRejected;
      expect(value).toMatchObject({ edgeId: edge, topic, code });
      expect(value.reason).toMatch(reason);
      const original = Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
      expect(Buffer.from(value.payload, value.payloadEncoding === 'base64' ? 'base64' : 'utf8')).toEqual(original);
      expect(value.payloadEncoding).toBe(Buffer.isBuffer(payload) ? 'base64' : 'utf8');
      expect(header(r, 'ce_type')).toBe(TOPIC.metricsRejected);
      expect(header(r, 'ce_id')).toMatch(new RegExp(`^${edge}:\\d+:\\d+$`));

      // Nothing reached tracking.metrics.received, and the same connection still works.
      await c.publishAsync(topic, JSON.stringify(batch(10)), { qos: 1 });
      const received = await readToEnd(
        ingest.env.KAFKA_BROKERS!,
        TOPIC.metricsReceived,
        (m) => m.key?.toString() === athlete,
      );
      expect(received.map((m) => JSON.parse(m.value!.toString()).seq)).toEqual([10]);
    },
  );

  it('QoS 0 goes through the same validation', async () => {
    const athlete = uid('ath');
    const { edge, c } = await edgeClient([athlete]);
    await c.subscribeAsync(`v1/errors/${edge}`, { qos: 1 });
    const error = nextMessage(c, `v1/errors/${edge}`);
    c.publish(`v1/samples/${athlete}/dev-1`, '{"seq":1,"samples":[]}', { qos: 0 });
    expect(JSON.parse((await error).toString())).toMatchObject({ code: 'WS_CONTRACT_SCHEMA', seq: 1 });
    c.publish(`v1/samples/${athlete}/dev-1`, JSON.stringify(batch(2)), { qos: 0 });
    await c.publishAsync(`v1/samples/${athlete}/dev-1`, JSON.stringify(batch(3)), { qos: 1 });
    const received = await readToEnd(
      ingest.env.KAFKA_BROKERS!,
      TOPIC.metricsReceived,
      (m) => m.key?.toString() === athlete,
    );
    expect(received.map((m) => JSON.parse(m.value!.toString()).seq)).toEqual([2, 3]);
  });
});

describe('limits', () => {
  it('closes a connection whose packet exceeds MQTT_MAX_PACKET_SIZE as soon as it is announced; others are unaffected', async () => {
    const athlete = uid('ath');
    const { c: bystander } = await edgeClient([athlete]);
    const edge = uid('edge');
    const raw = await RawClient.open(ingest.ports.mqtt!);
    raw.connect({ clientId: edge, username: edge, password: await ingest.token(edge, [athlete]) });
    expect(await raw.next('connack')).toMatchObject({ returnCode: 0 });
    // Fixed header of a QoS 1 PUBLISH announcing 64 MiB; the body never comes.
    raw.write(Buffer.from([0x32, 0x80, 0x80, 0x80, 0x20]));
    const closedAt = await raw.closedAt;
    expect(closedAt).toBeGreaterThan(0);

    // An mqtt.js publish just over the limit: connection closed, no PUBACK.
    const { c: big } = await edgeClient([athlete]);
    const closed = new Promise<void>((r) => big.once('close', () => r()));
    let acked = false;
    big.publish(`v1/samples/${athlete}/dev-1`, Buffer.alloc(65 * 1024, 0x20), { qos: 1 }, (err) => {
      if (!err) acked = true;
    });
    await closed;
    expect(acked).toBe(false);

    // Meanwhile the other client publishes as usual, also a packet just under the limit.
    await bystander.publishAsync(`v1/samples/${athlete}/dev-1`, JSON.stringify(batch(1, 900)), { qos: 1 });
    expect(bystander.connected).toBe(true);
    expect(await ingest.registry.getSingleMetricAsString('wattstream_ingest_oversized_packets_total')).toMatch(/ 2$/m);
  });

  it('refuses CONNECT with return code 3 beyond MQTT_MAX_CONNECTIONS', async () => {
    const small = await startTestIngest({ MQTT_MAX_CONNECTIONS: '3' });
    const at = `mqtt://127.0.0.1:${small.ports.mqtt}`;
    const open: MqttClient[] = [];
    const connect = async () => {
      const edge = uid('edge');
      return connectEdge(at, { clientId: edge, username: edge, password: await small.token(edge, ['a1']) });
    };
    try {
      for (let i = 0; i < 3; i++) open.push(await connect());
      expect(
        await connect().then(
          () => undefined,
          (e: Error & { code?: number }) => e.code,
        ),
      ).toBe(3);
      open.pop()?.end(true);
      await new Promise((r) => setTimeout(r, 200));
      open.push(await connect()); // room again once one left
    } finally {
      for (const c of open) c.end(true);
      await small.stop();
    }
  });

  it('slows an edge down to MQTT_PUBLISH_RATE instead of dropping', async () => {
    const slow = await startTestIngest({ MQTT_PUBLISH_RATE: '10', MQTT_PUBLISH_BURST: '2' });
    try {
      const athlete = uid('ath');
      const edge = uid('edge');
      const c = await connectEdge(`mqtt://127.0.0.1:${slow.ports.mqtt}`, {
        clientId: edge,
        username: edge,
        password: await slow.token(edge, [athlete]),
      });
      const started = Date.now();
      await Promise.all(
        Array.from({ length: 7 }, (_, i) =>
          c.publishAsync(`v1/samples/${athlete}/d`, JSON.stringify(batch(i)), { qos: 1 }),
        ),
      );
      // 2 at once, then 5 more at 10/s: at least 500 ms.
      expect(Date.now() - started).toBeGreaterThanOrEqual(450);
      c.end(true);
      const received = await readToEnd(
        slow.env.KAFKA_BROKERS!,
        TOPIC.metricsReceived,
        (m) => m.key?.toString() === athlete,
      );
      expect(received.map((m) => JSON.parse(m.value!.toString()).seq)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    } finally {
      await slow.stop();
    }
  });

  it('serves MQTT over WebSocket and TLS with the same auth and write path', async () => {
    const athlete = uid('ath');
    const { c: ws } = await edgeClient([athlete], {}, `ws://127.0.0.1:${ingest.ports.ws}/mqtt`);
    await ws.publishAsync(`v1/samples/${athlete}/ws`, JSON.stringify(batch(1)), { qos: 1 });
    const { c: tls } = await edgeClient([athlete], {}, `mqtts://127.0.0.1:${ingest.ports.tls}`);
    await tls.publishAsync(`v1/samples/${athlete}/tls`, JSON.stringify(batch(2)), { qos: 1 });
    const received = await readToEnd(
      ingest.env.KAFKA_BROKERS!,
      TOPIC.metricsReceived,
      (m) => m.key?.toString() === athlete,
    );
    expect(received.map((m) => header(m, 'ce_id')?.split('/').slice(1, 3).join(':')).sort()).toEqual(['tls:2', 'ws:1']);
    const bad = await connectEdge(`ws://127.0.0.1:${ingest.ports.ws}/mqtt`, {
      clientId: 'x',
      username: 'x',
      password: 'nope',
    }).then(
      () => undefined,
      (e: Error & { code?: number }) => e.code,
    );
    expect(bad).toBe(4);
  });
});
