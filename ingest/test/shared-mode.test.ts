import { TOPIC } from '@wattstream/contracts';
import { startMosquitto, type TestMosquitto } from '@wattstream/infra/testing';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batch, header, readToEnd, startTestIngest, type TestIngest, uid, until } from './helper.js';

let mosquitto: TestMosquitto;
const replicas: TestIngest[] = [];

beforeAll(async () => {
  mosquitto = await startMosquitto();
  for (let i = 0; i < 2; i++) {
    replicas.push(
      await startTestIngest({
        INGEST_MODE: 'shared',
        MQTT_UPSTREAM_URL: mosquitto.url,
        MQTT_UPSTREAM_CONNECTIONS: '2',
        INGEST_INSTANCE: uid(`replica${i}`),
      }),
    );
  }
  await Promise.all(replicas.map((r) => r.upstream!.ready));
});
afterAll(async () => {
  for (const r of replicas) await r.stop();
  await mosquitto?.destroy();
});

const accepted = async (r: TestIngest) =>
  (await r.metrics.publishes.get()).values
    .filter((v) => v.labels.outcome === 'accepted')
    .reduce((n, v) => n + v.value, 0);

describe('shared-subscription mode against Mosquitto, two replicas', () => {
  it('every batch reaches Kafka exactly once per delivery, split between the replicas', {
    timeout: 90_000,
  }, async () => {
    const athlete = uid('ath');
    const edge = uid('edge');
    // Edges publish to Mosquitto; one of them says who it is with an MQTT 5 user property.
    const v4 = await mqtt.connectAsync(mosquitto.url, { protocolVersion: 4, clientId: uid('pub4'), clean: false });
    const v5 = await mqtt.connectAsync(mosquitto.url, { protocolVersion: 5, clientId: uid('pub5'), clean: false });
    const n = 150;
    await Promise.all([
      ...Array.from({ length: n }, (_, i) =>
        v4.publishAsync(`v1/samples/${athlete}/d4`, JSON.stringify(batch(i, 5)), { qos: 1 }),
      ),
      ...Array.from({ length: n }, (_, i) =>
        v5.publishAsync(`v1/samples/${athlete}/d5`, JSON.stringify(batch(i, 5)), {
          qos: 1,
          properties: {
            userProperties: { edgeId: edge, traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
          },
        }),
      ),
    ]);
    // An invalid batch is rejected as in embedded mode.
    await v5.publishAsync(`v1/samples/${athlete}/d5`, '{"seq":1,"samples":[{"ts":1}]}', {
      qos: 1,
      properties: { userProperties: { edgeId: edge } },
    });
    await Promise.all([v4.endAsync(), v5.endAsync()]);

    await until(
      async () => (await accepted(replicas[0]!)) + (await accepted(replicas[1]!)) >= 2 * n,
      60_000,
      'both replicas to finish',
    );
    const records = await readToEnd(
      replicas[0]!.env.KAFKA_BROKERS!,
      TOPIC.metricsReceived,
      (m) => m.key?.toString() === athlete,
    );
    const ids = records.map((m) => header(m, 'ce_id'));
    expect(new Set(ids).size).toBe(2 * n); // none missing
    expect(ids.length).toBe(2 * n); // none twice: nothing failed, so one delivery each
    const fromV5 = records.filter((m) => header(m, 'ce_id')?.startsWith(`${athlete}/d5/`));
    expect(
      fromV5.every(
        (m) => header(m, 'ce_source') === `/edges/${edge}` && header(m, 'traceparent')?.startsWith('00-0af7'),
      ),
    ).toBe(true);
    const fromV4 = records.filter((m) => header(m, 'ce_id')?.startsWith(`${athlete}/d4/`));
    expect(fromV4.every((m) => header(m, 'ce_source') === '/edges/unknown')).toBe(true);
    // The broker split the load between the two replicas.
    expect(await accepted(replicas[0]!)).toBeGreaterThan(0);
    expect(await accepted(replicas[1]!)).toBeGreaterThan(0);

    const rejected = await readToEnd(
      replicas[0]!.env.KAFKA_BROKERS!,
      TOPIC.metricsRejected,
      (m) => m.key?.toString() === edge,
    );
    expect(rejected.map((m) => JSON.parse(m.value!.toString()).code)).toEqual(['WS_CONTRACT_SCHEMA']);
  });

  it('a replica that dies leaves its unacknowledged messages in its broker session; restarted with the same instance name it gets them', {
    timeout: 90_000,
  }, async () => {
    const athlete = uid('ath');
    const victim = replicas[1]!;
    const pub = await mqtt.connectAsync(mosquitto.url, { protocolVersion: 4, clientId: uid('pub'), clean: false });
    const n = 200;
    const publishing = Promise.all(
      Array.from({ length: n }, (_, i) =>
        pub.publishAsync(`v1/samples/${athlete}/dc`, JSON.stringify(batch(i, 5)), { qos: 1 }),
      ),
    );
    // Crash the second replica mid-stream: its connections drop without UNSUBSCRIBE or DISCONNECT.
    await until(async () => (await accepted(victim)) > 0, 30_000, 'the victim to take a share');
    for (const c of victim.upstream!.clients) c.stream.destroy();
    await victim.stop();
    await publishing;
    await pub.endAsync();
    // Same INGEST_INSTANCE → same client ids → the broker resumes those sessions.
    const reborn = await startTestIngest({ ...pick(victim.env), LOG_LEVEL: 'silent' });
    replicas[1] = reborn;
    await reborn.upstream!.ready;
    const ids = await until(
      async () => {
        const records = await readToEnd(
          reborn.env.KAFKA_BROKERS!,
          TOPIC.metricsReceived,
          (m) => m.key?.toString() === athlete,
        );
        const set = new Set(records.map((m) => header(m, 'ce_id')));
        return set.size === n ? set : undefined;
      },
      60_000,
      'every batch in Kafka',
    );
    expect(ids?.size).toBe(n); // none missing; a batch the victim wrote but did not acknowledge may appear twice
    // Mosquitto kept assigning the dead member its share; the sessions held it until it came back.
    expect(await accepted(reborn)).toBeGreaterThan(0);
  });
});

const pick = (env: Record<string, string>) => ({
  INGEST_MODE: env.INGEST_MODE!,
  MQTT_UPSTREAM_URL: env.MQTT_UPSTREAM_URL!,
  MQTT_UPSTREAM_CONNECTIONS: env.MQTT_UPSTREAM_CONNECTIONS!,
  INGEST_INSTANCE: env.INGEST_INSTANCE!,
});
