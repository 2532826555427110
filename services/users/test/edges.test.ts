import { kafkaTopics } from '@wattstream/contracts';
import { TOKEN_AUDIENCE } from '@wattstream/platform';
import { collect, testKafka, waitFor } from '@wattstream/testkit';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, signUp, startUsers, type Users } from './support.js';

let users: Users;
let edges: Awaited<ReturnType<typeof collect>>;
beforeAll(async () => {
  users = await startUsers();
  edges = await collect(testKafka('users-edges-test'), kafkaTopics.edgeUpdated.name);
}, 120_000);
afterAll(async () => {
  await edges?.stop();
  await users?.destroy();
});

interface Created {
  edge: { edgeId: string };
  credential: { username: string; password: string };
}

describe('edges and their credentials', () => {
  it('registers an edge whose credential verifies against the JWKS as an edge token for its owner', async () => {
    const { id, tokens } = await signUp(users.url);
    const r = await api<Created>(users.url, 'POST', '/v1/me/edges', {
      token: tokens.accessToken,
      body: { name: 'garage laptop' },
    });
    expect(r.status).toBe(201);
    expect(r.headers.get('cache-control')).toBe('no-store');
    const { edge, credential } = r.body;
    expect(credential.username).toBe(edge.edgeId);
    const jwks = createRemoteJWKSet(new URL(`${users.url}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(credential.password, jwks, {
      audience: TOKEN_AUDIENCE.edge,
      issuer: 'wattstream',
      algorithms: ['EdDSA'],
    });
    expect(payload).toMatchObject({ sub: edge.edgeId, athletes: [id] });
    const ev = await waitFor(() => edges.records.find((x) => x.key === edge.edgeId));
    expect(ev.value).toMatchObject({ edgeId: edge.edgeId, ownerId: id, revoked: false, credentialId: payload.jti });
  });

  it('pairs sensors, re-mints the credential (the old one is replaced), and revokes', async () => {
    const { tokens } = await signUp(users.url);
    const t = tokens.accessToken;
    const { edge } = (await api<Created>(users.url, 'POST', '/v1/me/edges', { token: t, body: { name: 'studio' } }))
      .body;
    const sensors = [
      { sensorId: 'ble:aa:bb:cc:dd:ee:ff', kind: 'heart-rate', name: 'strap' },
      { sensorId: 'ant:11:4242', kind: 'power' },
    ];
    const put = await api<{ sensors: unknown[] }>(users.url, 'PUT', `/v1/me/edges/${edge.edgeId}/sensors`, {
      token: t,
      body: { sensors },
    });
    expect(put.status).toBe(200);
    expect(put.body.sensors).toEqual([sensors[1], sensors[0]]);
    const dup = await api(users.url, 'PUT', `/v1/me/edges/${edge.edgeId}/sensors`, {
      token: t,
      body: { sensors: [sensors[0], sensors[0]] },
    });
    expect(dup.status).toBe(400);

    const again = await api<{ password: string }>(users.url, 'POST', `/v1/me/edges/${edge.edgeId}/credential`, {
      token: t,
    });
    expect(again.status).toBe(201);
    const jti = JSON.parse(Buffer.from(again.body.password.split('.')[1]!, 'base64url').toString()).jti;
    await waitFor(() =>
      edges.records.find((x) => x.key === edge.edgeId && (x.value as { credentialId: string }).credentialId === jti),
    );

    expect((await api(users.url, 'DELETE', `/v1/me/edges/${edge.edgeId}`, { token: t })).status).toBe(204);
    const revoked = await waitFor(() =>
      edges.records.find((x) => x.key === edge.edgeId && (x.value as { revoked: boolean }).revoked),
    );
    expect(revoked.value).toMatchObject({ credentialId: null });
    expect((await api(users.url, 'POST', `/v1/me/edges/${edge.edgeId}/credential`, { token: t })).status).toBe(409);
    const list = await api<{ items: { revokedAt: string | null }[] }>(users.url, 'GET', '/v1/me/edges', { token: t });
    expect(list.body.items[0]?.revokedAt).not.toBeNull();
  });

  it("never shows or changes another athlete's edge (404, as for an unknown one)", async () => {
    const owner = await signUp(users.url);
    const other = await signUp(users.url);
    const { edge } = (
      await api<Created>(users.url, 'POST', '/v1/me/edges', { token: owner.tokens.accessToken, body: { name: 'x' } })
    ).body;
    const o = other.tokens.accessToken;
    expect((await api(users.url, 'GET', `/v1/me/edges/${edge.edgeId}`, { token: o })).status).toBe(404);
    expect((await api(users.url, 'DELETE', `/v1/me/edges/${edge.edgeId}`, { token: o })).status).toBe(404);
    expect((await api(users.url, 'POST', `/v1/me/edges/${edge.edgeId}/credential`, { token: o })).status).toBe(404);
    expect(
      (await api(users.url, 'PUT', `/v1/me/edges/${edge.edgeId}/sensors`, { token: o, body: { sensors: [] } })).status,
    ).toBe(404);
    expect(
      (await api(users.url, 'GET', `/v1/me/edges/${edge.edgeId}`, { token: owner.tokens.accessToken })).status,
    ).toBe(200);
  });
});
