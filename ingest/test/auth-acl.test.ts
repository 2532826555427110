import { rmSync } from 'node:fs';
import { TOPIC } from '@wattstream/contracts';
import { loadTokenKeys, signToken, TOKEN_AUDIENCE } from '@wattstream/platform';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  batch,
  connectEdge,
  header,
  nextMessage,
  readToEnd,
  startTestIngest,
  type TestIngest,
  uid,
  until,
} from './helper.js';
import { RawClient } from './raw.js';

let ingest: TestIngest;
let url: string;
const clients: MqttClient[] = [];
const track = (c: MqttClient) => {
  clients.push(c);
  return c;
};

beforeAll(async () => {
  ingest = await startTestIngest({ MQTT_KEEPALIVE_MAX: '2s', MQTT_KEEPALIVE_MIN: '1s' });
  url = `mqtt://127.0.0.1:${ingest.ports.mqtt}`;
});
afterAll(async () => {
  for (const c of clients) c.end(true);
  await ingest?.stop();
});

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('CONNECT was accepted');
    },
    (err: Error & { code?: number }) => err.code,
  );

describe('authentication (CONNECT)', () => {
  it('accepts a token whose subject is the username', async () => {
    const edge = uid('edge');
    const c = track(
      await connectEdge(url, { clientId: edge, username: edge, password: await ingest.token(edge, ['a1']) }),
    );
    expect(c.connected).toBe(true);
  });

  it('refuses a malformed token, a token signed by another key and no password with return code 4', async () => {
    const edge = uid('edge');
    expect(await refusal(connectEdge(url, { clientId: edge, username: edge, password: 'not-a-jwt' }))).toBe(4);
    const other = await startTestIngestKey();
    const foreign = await signToken(other, {
      subject: edge,
      audience: TOKEN_AUDIENCE.edge,
      ttlMs: 60_000,
      claims: { athletes: ['a1'] },
    });
    expect(await refusal(connectEdge(url, { clientId: edge, username: edge, password: foreign }))).toBe(4);
    expect(await refusal(connectEdge(url, { clientId: edge, username: edge }))).toBe(4);
    const userToken = await signToken(keys(), {
      subject: edge,
      audience: TOKEN_AUDIENCE.user,
      ttlMs: 60_000,
      claims: { athletes: ['a1'] },
    });
    expect(await refusal(connectEdge(url, { clientId: edge, username: edge, password: userToken }))).toBe(4);
  });

  it('refuses an expired token and a username that is not the subject with return code 5', async () => {
    const edge = uid('edge');
    const expired = await signToken(keys(), {
      subject: edge,
      audience: TOKEN_AUDIENCE.edge,
      ttlMs: -60_000,
      claims: { athletes: ['a1'] },
    });
    expect(await refusal(connectEdge(url, { clientId: edge, username: edge, password: expired }))).toBe(5);
    const token = await ingest.token(edge, ['a1']);
    expect(await refusal(connectEdge(url, { clientId: edge, username: 'someone-else', password: token }))).toBe(5);
  });

  it('refuses an empty client id with return code 2, with and without a clean session', async () => {
    const edge = uid('edge');
    const token = await ingest.token(edge, ['a1']);
    for (const clean of [true, false]) {
      const raw = await RawClient.open(ingest.ports.mqtt!);
      raw.connect({ clientId: '', username: edge, password: token, clean });
      const connack = await raw.next('connack');
      expect(connack).toMatchObject({ cmd: 'connack', returnCode: 2 });
      await raw.closedAt; // [MQTT-3.2.2-5] closed after a refusing CONNACK
    }
  });

  it('refuses a client id that is not the credential’s edge with return code 2: no takeover of another edge’s session', async () => {
    const victim = uid('edge');
    const victimToken = await ingest.token(victim, ['a1']);
    const b = track(
      await connectEdge(url, { clientId: victim, username: victim, password: victimToken, clean: false }),
    );
    await b.subscribeAsync(`v1/errors/${victim}`, { qos: 1 });
    let bClosed = false;
    b.on('close', () => {
      bClosed = true;
    });

    const attacker = uid('edge');
    const attackerToken = await ingest.token(attacker, ['a1']);
    // The victim's id, and ids that only look like the attacker's (`-`/`_` are id characters, so
    // `{attacker}-x` may be another edge's id).
    for (const clientId of [
      victim,
      `${attacker}-x`,
      `${attacker}_x`,
      `${attacker}:`,
      `${attacker}:a/b`,
      `x${attacker}`,
    ]) {
      const raw = await RawClient.open(ingest.ports.mqtt!);
      raw.connect({ clientId, username: attacker, password: attackerToken, clean: false });
      expect(await raw.next('connack'), clientId).toMatchObject({ returnCode: 2, sessionPresent: false });
      await raw.closedAt;
    }

    // B kept its connection and its session: a publish is acknowledged, and its subscription still delivers.
    await b.publishAsync('v1/samples/a1/dev-1', JSON.stringify(batch(1)), { qos: 1 });
    const error = nextMessage(b, `v1/errors/${victim}`);
    await b.publishAsync('v1/samples/a1/dev-1', '{"seq":2,"samples":[]}', { qos: 1 });
    expect(JSON.parse((await error).toString())).toMatchObject({ code: 'WS_CONTRACT_SCHEMA' });
    expect(bClosed).toBe(false);
    expect(b.connected).toBe(true);

    // The attacker's own ids are fine: exactly its edgeId, or `{edgeId}:{suffix}`.
    for (const clientId of [attacker, `${attacker}:dev-1`]) {
      const c = track(await connectEdge(url, { clientId, username: attacker, password: attackerToken }));
      expect(c.connected).toBe(true);
    }
  });

  it('refuses a Last Will outside v1/status/{edgeId} or that is not an EdgeStatus', async () => {
    const edge = uid('edge');
    const token = await ingest.token(edge, ['a1']);
    const offline = Buffer.from(JSON.stringify({ state: 'offline', ts: Date.now() }));
    const will = { topic: 'v1/status/another-edge', payload: offline, qos: 1 as const, retain: true };
    expect(await refusal(connectEdge(url, { clientId: edge, username: edge, password: token, will }))).toBe(5);
    // on its own topic, but not an EdgeStatus: it would be retained for every later reader
    const junk = { ...will, topic: `v1/status/${edge}`, payload: Buffer.from('{"state":"hacked"}') };
    expect(await refusal(connectEdge(url, { clientId: edge, username: edge, password: token, will: junk }))).toBe(5);
    const ok = { ...will, topic: `v1/status/${edge}` };
    track(await connectEdge(url, { clientId: edge, username: edge, password: token, will: ok }));
  });

  it('disconnects a client when its token expires', async () => {
    const edge = uid('edge');
    const short = await signToken(keys(), {
      subject: edge,
      audience: TOKEN_AUDIENCE.edge,
      ttlMs: 1500,
      claims: { athletes: ['a1'] },
    });
    const c = track(await connectEdge(url, { clientId: edge, username: edge, password: short }));
    const connectedAt = Date.now();
    const at = await new Promise<number>((r) => c.once('close', () => r(Date.now())));
    // exp has second resolution: the token ends 1–2 s after it was signed.
    expect(at - connectedAt).toBeGreaterThan(300);
    expect(at - connectedAt).toBeLessThan(10_000);
    await until(
      async () =>
        (await ingest.registry.getSingleMetricAsString('wattstream_ingest_token_expiry_disconnects_total')).includes(
          ' 1',
        ),
      5000,
      'expiry counter',
    );
  });

  it('drops a silent client after 1.5× the bounded keepalive even when it asked for none', async () => {
    const edge = uid('edge');
    const raw = await RawClient.open(ingest.ports.mqtt!);
    raw.connect({ clientId: edge, username: edge, password: await ingest.token(edge, ['a1']), keepalive: 0 });
    expect(await raw.next('connack')).toMatchObject({ returnCode: 0 });
    const started = Date.now();
    const closedAt = await raw.closedAt; // MQTT_KEEPALIVE_MAX=2s → closed after ~3 s of silence
    expect(closedAt - started).toBeGreaterThanOrEqual(2500);
    expect(closedAt - started).toBeLessThan(15_000);
  });
});

function keys() {
  return loadTokenKeys(
    { jwtPrivateKey: undefined, jwtPublicKey: undefined, jwtAlg: 'EdDSA', jwtIssuer: 'wattstream' },
    ingest.dataDir,
  );
}
/** A key pair nobody configured ingest with (a foreign signer). */
async function startTestIngestKey() {
  const { tempDir } = await import('@wattstream/infra/testing');
  const dir = tempDir('otherkey');
  try {
    return loadTokenKeys(
      { jwtPrivateKey: undefined, jwtPublicKey: undefined, jwtAlg: 'EdDSA', jwtIssuer: 'wattstream' },
      dir,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('ACL', () => {
  it('retains only a valid EdgeStatus on v1/status/{edgeId}: anything else gets no PUBACK, a closed connection and WS_INGEST_STATUS_INVALID', async () => {
    const edge = uid('edge');
    const opts = { clientId: edge, username: edge, password: await ingest.token(edge, ['a1']), clean: false };
    const sub = track(await connectEdge(url, opts));
    await sub.subscribeAsync(`v1/errors/${edge}`, { qos: 1 });
    sub.end(true);
    for (const payload of ['not json', '{"state":"hacked","ts":1764000000000}', '{"state":"online"}']) {
      const c = track(await connectEdge(url, opts));
      const closed = new Promise<void>((r) => c.once('close', () => r()));
      let acked = false;
      c.publish(`v1/status/${edge}`, payload, { qos: 1, retain: true }, (err) => {
        if (!err) acked = true;
      });
      await closed;
      expect(acked, payload).toBe(false);
      c.end(true);
      const again = track(await connectEdge(url, opts));
      const msg = JSON.parse((await nextMessage(again, `v1/errors/${edge}`)).toString());
      expect(msg).toMatchObject({ code: 'WS_INGEST_STATUS_INVALID', topic: `v1/status/${edge}` });
      again.end(true);
    }
    const c = track(await connectEdge(url, opts));
    await c.publishAsync(`v1/status/${edge}`, JSON.stringify({ state: 'online', ts: Date.now(), queueDepth: 0 }), {
      qos: 1,
      retain: true,
    });
  });

  it('grants only the edge’s own errors and commands subscriptions', async () => {
    const edge = uid('edge');
    const raw = await RawClient.open(ingest.ports.mqtt!);
    raw.connect({ clientId: edge, username: edge, password: await ingest.token(edge, ['a1']) });
    expect(await raw.next('connack')).toMatchObject({ returnCode: 0 });
    raw.send({
      cmd: 'subscribe',
      messageId: 1,
      subscriptions: [
        { topic: `v1/errors/${edge}`, qos: 1 },
        { topic: `v1/commands/${edge}`, qos: 1 },
        { topic: 'v1/errors/other', qos: 1 },
        { topic: '#', qos: 1 },
        { topic: 'v1/samples/a1/+', qos: 0 },
      ],
    });
    // [MQTT-3.9.3-1] one return code per filter, in order; 0x80 = failure.
    expect(await raw.next('suback')).toMatchObject({ granted: [1, 1, 128, 128, 128] });
    raw.destroy();
  });

  it('refuses a publish for an athlete outside the token, and topics outside the ACL: no PUBACK, connection closed, error to the edge, nothing in Kafka', async () => {
    const edge = uid('edge');
    const mine = uid('ath');
    const other = uid('ath');
    const token = await ingest.token(edge, [mine]);
    const opts = { clientId: edge, username: edge, password: token, clean: false };
    const sub = track(await connectEdge(url, opts));
    await sub.subscribeAsync(`v1/errors/${edge}`, { qos: 1 });
    sub.end(true);

    for (const topic of [
      `v1/samples/${other}/dev-1`,
      'v1/status/another-edge',
      'v1/commands/another-edge',
      'elsewhere/x',
    ]) {
      const c = track(await connectEdge(url, opts));
      const closed = new Promise<void>((r) => c.once('close', () => r()));
      let acked = false;
      c.publish(topic, JSON.stringify(batch(1)), { qos: 1 }, (err) => {
        if (!err) acked = true;
      });
      await closed;
      expect(acked).toBe(false);
      c.end(true);
      // The reason waits in the edge's persistent session.
      const again = track(await connectEdge(url, opts));
      const msg = JSON.parse((await nextMessage(again, `v1/errors/${edge}`)).toString());
      expect(msg).toMatchObject({ code: 'WS_INGEST_NOT_AUTHORIZED', topic });
      again.end(true);
    }

    // A valid publish afterwards is acknowledged (so Kafka has everything written before it)...
    const ok = track(await connectEdge(url, { clientId: `${edge}:${uid('c')}`, username: edge, password: token }));
    await ok.publishAsync(`v1/samples/${mine}/dev-1`, JSON.stringify(batch(7)), { qos: 1 });
    // ...and nothing for the other athlete or from the refused topics reached either topic.
    const received = await readToEnd(
      ingest.env.KAFKA_BROKERS!,
      TOPIC.metricsReceived,
      (m) => header(m, 'ce_source') === `/edges/${edge}`,
    );
    expect(received.map((m) => m.key?.toString())).toEqual([mine]);
    const rejected = await readToEnd(
      ingest.env.KAFKA_BROKERS!,
      TOPIC.metricsRejected,
      (m) => m.key?.toString() === edge,
    );
    expect(rejected).toEqual([]);
  });
});
