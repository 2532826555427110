import { tempDir, testDatabase } from '@wattstream/infra/testing';
import { startService } from '@wattstream/kernel';
import { waitFor } from '@wattstream/testkit';
import { usersService } from '@wattstream/users';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batch, connectEdge, kafkaBrokers, startTestIngest, type TestIngest } from './helper.js';

type Users = Awaited<ReturnType<typeof startUsers>>;
async function startUsers() {
  const db = await testDatabase('users');
  const svc = await startService(usersService, {
    env: {
      ...process.env,
      LOG_LEVEL: 'silent',
      USERS_PORT: '0',
      DATA_DIR: tempDir('users'),
      DATABASE_URL: db.url,
      OUTBOX_POLL: '100ms',
    },
  });
  return Object.assign(svc, {
    destroy: async () => {
      await svc.stop();
      await db.drop();
    },
  });
}

async function call<T>(base: string, method: string, path: string, token?: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

let users: Users;
let ingest: TestIngest;
let url: string;
const clients: MqttClient[] = [];
beforeAll(async () => {
  users = await startUsers();
  ingest = await startTestIngest({
    AUTH_JWKS_URL: `${users.url}/.well-known/jwks.json`,
    KAFKA_BROKERS: kafkaBrokers(),
  });
  url = `mqtt://127.0.0.1:${ingest.ports.mqtt}`;
}, 120_000);
afterAll(async () => {
  for (const c of clients) c.end(true);
  await ingest?.stop();
  await users?.destroy();
});

/** An athlete registers, logs in and registers an edge through the users API. */
async function athleteWithEdge() {
  const email = `rider-${Math.random().toString(36).slice(2)}@example.com`;
  const me = await call<{ id: string }>(users.url, 'POST', '/v1/auth/register', undefined, {
    email,
    password: 'correct horse battery',
    displayName: 'Rider',
  });
  const { accessToken } = await call<{ accessToken: string }>(users.url, 'POST', '/v1/auth/login', undefined, {
    email,
    password: 'correct horse battery',
  });
  const { edge, credential } = await call<{
    edge: { edgeId: string };
    credential: { username: string; password: string };
  }>(users.url, 'POST', '/v1/me/edges', accessToken, { name: 'laptop' });
  return { athleteId: me.id, accessToken, edgeId: edge.edgeId, credential };
}

const refused = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error('CONNECT was accepted');
    },
    (err: { code?: number }) => err.code,
  );

describe('edge credentials issued by the users service', () => {
  it('are accepted (verified against the users JWKS) and publish for their owner', async () => {
    const { athleteId, edgeId, credential } = await athleteWithEdge();
    const c = await connectEdge(url, {
      clientId: edgeId,
      username: credential.username,
      password: credential.password,
    });
    clients.push(c);
    await c.publishAsync(`v1/samples/${athleteId}/hrm`, JSON.stringify(batch(0, 2, Date.now() - 1000)), { qos: 1 });
  });

  it('stop working when replaced, and an open connection of a revoked edge is closed at once', async () => {
    const { accessToken, edgeId, credential } = await athleteWithEdge();
    const c = await connectEdge(url, {
      clientId: edgeId,
      username: credential.username,
      password: credential.password,
    });
    clients.push(c);
    const fresh = await call<{ password: string }>(users.url, 'POST', `/v1/me/edges/${edgeId}/credential`, accessToken);
    // The replaced credential: the open connection ends, a new one is refused (CONNACK 5).
    await waitFor(() => !c.connected, {
      what: 'the connection of the replaced credential to close',
      timeoutMs: 20_000,
    });
    expect(await refused(connectEdge(url, { clientId: edgeId, username: edgeId, password: credential.password }))).toBe(
      5,
    );
    const again = await connectEdge(url, { clientId: edgeId, username: edgeId, password: fresh.password });
    clients.push(again);
    await call(users.url, 'DELETE', `/v1/me/edges/${edgeId}`, accessToken);
    await waitFor(() => !again.connected, { what: 'the revoked edge to be disconnected', timeoutMs: 20_000 });
    expect(await refused(connectEdge(url, { clientId: edgeId, username: edgeId, password: fresh.password }))).toBe(5);
  });
});
