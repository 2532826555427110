import type { AddressInfo } from 'node:net';
import { INTERNAL_IDENTITY, INTERNAL_IDENTITY_HEADER } from '@wattstream/kernel';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { type Gateway, signUp, startGateway, startUsers, type Users } from './support.js';

/** What the upstream WebSocket server saw of the upgrade, sent as its first message. */
type Hello = { url: string; headers: Record<string, string> };

/** `/live` → the live WebSocket server: the upgrade is proxied, the token checked once, at the gateway. */
describe('gateway WebSocket proxy (/live)', () => {
  let users: Users;
  let upstream: WebSocketServer;
  let gw: Gateway;
  let token: string;
  let upgrades = 0;

  beforeAll(async () => {
    users = await startUsers();
    // a tiny ws server standing in for the live server: reports the upgrade, then echoes
    upstream = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((r) => upstream.once('listening', r));
    upstream.on('connection', (socket, req) => {
      upgrades++;
      socket.send(JSON.stringify({ url: req.url, headers: req.headers }));
      socket.on('message', (m) => socket.send(`echo:${m.toString()}`));
    });
    const port = (upstream.address() as AddressInfo).port;
    gw = await startGateway({ users: users.url, live: `http://127.0.0.1:${port}` });
    token = (await signUp(`${gw.url}/users`)).tokens.accessToken;
  });
  afterAll(async () => {
    await gw?.stop();
    upstream?.close();
    await users?.destroy();
  });

  const wsUrl = (path: string) => `${gw.url.replace('http:', 'ws:')}${path}`;

  /** Opens a socket; resolves with its first message, or with the HTTP status that refused the upgrade. */
  const open = (path: string, headers: Record<string, string> = {}) =>
    new Promise<{ ws: WebSocket; hello: Hello } | { status: number }>((resolve, reject) => {
      const ws = new WebSocket(wsUrl(path), { headers });
      ws.once('message', (m) => resolve({ ws, hello: JSON.parse(m.toString()) as Hello }));
      ws.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0 }));
      ws.once('error', reject);
    });

  it('refuses the upgrade without a valid token before the live server is reached', async () => {
    for (const path of ['/live/v1/live', '/live/v1/live?access_token=not-a-token']) {
      const r = await open(path);
      expect('status' in r && r.status, path).toBe(401);
    }
    expect(upgrades).toBe(0);
  });

  it('proxies an authenticated upgrade with the prefix stripped, the identity header added, frames both ways', async () => {
    const r = await open(`/live/v1/live?access_token=${token}`, {
      [INTERNAL_IDENTITY_HEADER]: 'forged',
      'x-request-id': 'ws-req-1',
    });
    if (!('ws' in r)) throw new Error(`upgrade refused: ${r.status}`);
    expect(r.hello.url).toBe(`/v1/live?access_token=${token}`);
    const { payload } = await jwtVerify(
      r.hello.headers[INTERNAL_IDENTITY_HEADER]!,
      createRemoteJWKSet(new URL(`${gw.url}/.well-known/gateway-jwks.json`)),
      { issuer: INTERNAL_IDENTITY.issuer, audience: INTERNAL_IDENTITY.audience, algorithms: ['EdDSA'] },
    );
    expect(payload.rid).toBe('ws-req-1');
    expect(r.hello.headers['x-request-id']).toBe('ws-req-1');
    const echoed = new Promise<string>((resolve) => r.ws.once('message', (m) => resolve(m.toString())));
    r.ws.send('{"type":"subscribe","channel":"athlete:a1"}');
    expect(await echoed).toBe('echo:{"type":"subscribe","channel":"athlete:a1"}');
    r.ws.close();
  });

  it('takes the token from the Authorization header as well', async () => {
    const r = await open('/live/v1/live', { authorization: `Bearer ${token}` });
    if (!('ws' in r)) throw new Error(`upgrade refused: ${r.status}`);
    expect(r.hello.url).toBe('/v1/live');
    r.ws.close();
  });
});
