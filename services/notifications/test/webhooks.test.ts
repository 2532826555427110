import { createHmac } from 'node:crypto';
import { kafkaTopics, type WebhookEndpoint, type WebhookEndpointCreated } from '@wattstream/contracts';
import { never, waitFor } from '@wattstream/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  api,
  emit,
  type Notifications,
  type ReceivedHook,
  signUp,
  startNotifications,
  startReceiver,
  startUsers,
  syncFailed,
  type Users,
} from './support.js';

/** What a receiver does with the documented headers: recompute the HMAC, check the replay window. */
function verify(h: ReceivedHook, secret: string): boolean {
  const sig = String(h.headers['wattstream-signature'] ?? '');
  const m = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(sig);
  if (!m) return false;
  const t = Number(m[1]);
  if (String(t) !== h.headers['wattstream-timestamp'] || Math.abs(Date.now() / 1000 - t) > 300) return false;
  return createHmac('sha256', secret).update(`${t}.${h.body}`).digest('hex') === m[2];
}

describe('notifications: signed webhooks, retries, failing and hanging endpoints', () => {
  let users: Users;
  let svc: Notifications;
  let good: Awaited<ReturnType<typeof startReceiver>>;
  let failing: Awaited<ReturnType<typeof startReceiver>>;
  let hanging: Awaited<ReturnType<typeof startReceiver>>;
  let flaky: Awaited<ReturnType<typeof startReceiver>>;
  let rider: Awaited<ReturnType<typeof signUp>>;
  const endpoints: Record<string, WebhookEndpointCreated> = {};

  const register = async (who: typeof rider, url: string) => {
    const r = await api<WebhookEndpointCreated>(svc.url, 'POST', `/v1/users/${who.id}/webhooks`, {
      token: who.tokens.accessToken,
      body: { url, description: 'test receiver' },
    });
    expect(r.status).toBe(201);
    return r.body;
  };
  const endpoint = async (who: typeof rider, id: string) =>
    (
      await api<{ items: WebhookEndpoint[] }>(svc.url, 'GET', `/v1/users/${who.id}/webhooks`, {
        token: who.tokens.accessToken,
      })
    ).body.items.find((e) => e.id === id)!;

  beforeAll(async () => {
    users = await startUsers();
    svc = await startNotifications(`${users.url}/.well-known/jwks.json`, {
      NOTIFICATIONS_WEBHOOK_DISABLE_AFTER: '3',
      NOTIFICATIONS_MAX_ATTEMPTS: '10',
      NOTIFICATIONS_WEBHOOK_PER_ENDPOINT: '1',
      NOTIFICATIONS_RETRY_INITIAL: '200ms',
      NOTIFICATIONS_RETRY_MAX: '400ms',
      NOTIFICATIONS_WEBHOOK_TIMEOUT: '3s',
    });
    [good, failing, hanging, flaky] = await Promise.all([
      startReceiver('ok'),
      startReceiver('fail'),
      startReceiver('hang'),
      startReceiver('ok'),
    ]);
    flaky.state.failFirst = 2;
    rider = await signUp(users.url, { name: 'hooks' });
    endpoints.good = await register(rider, good.url);
    endpoints.failing = await register(rider, failing.url);
    endpoints.hanging = await register(rider, hanging.url);
  }, 120_000);
  afterAll(async () => {
    await svc?.destroy();
    await Promise.all([good, failing, hanging, flaky].map((r) => r?.close()));
    await users?.destroy();
  });

  it('delivers to a healthy endpoint at once while others answer 500 or never answer; signatures verify', async () => {
    for (let i = 0; i < 5; i++) {
      await emit(kafkaTopics.integrationSyncFailed.name, rider.id, syncFailed(rider.id, { activityId: `a${i}` }));
      const emitted = Date.now();
      await waitFor(() => good.received.length > i, { what: `delivery ${i} to the healthy endpoint` });
      // The hanging endpoint holds each of its requests for 3 s: the healthy one never waits for it.
      expect(good.received[i]!.at - emitted).toBeLessThan(2_000);
    }
    expect(hanging.received.length).toBeGreaterThan(0);
    expect(good.received).toHaveLength(5);
    for (const h of good.received) {
      expect(verify(h, endpoints.good!.secret)).toBe(true);
      expect(verify(h, endpoints.failing!.secret)).toBe(false);
      const body = JSON.parse(h.body) as { id: string; type: string; userId: string; title: string };
      expect(h.headers['wattstream-id']).toBe(body.id);
      expect(h.headers['content-type']).toBe('application/json');
      expect(body).toMatchObject({
        type: 'integration.sync.failed',
        userId: rider.id,
        title: 'Sync with strava failed',
      });
    }
    expect(new Set(good.received.map((h) => h.headers['wattstream-id'])).size).toBe(5);
  }, 60_000);

  it('switches off an endpoint after 3 consecutive failures and cancels what was queued for it', async () => {
    const off = await waitFor(
      async () => {
        const e = await endpoint(rider, endpoints.failing!.id);
        return e.enabled ? undefined : e;
      },
      { what: 'the failing endpoint disabled' },
    );
    expect(off.consecutiveFailures).toBe(3);
    expect(off.disabledReason).toContain('HTTP 500');
    expect(failing.received).toHaveLength(3);
    await never(() => failing.received.length > 3, 1500, 'a request to a disabled endpoint');
    const states = (
      await svc.ctx.db.query<{ state: string }>('SELECT state FROM deliveries WHERE endpoint_id = $1', [
        endpoints.failing!.id,
      ])
    ).rows.map((r) => r.state);
    // Events that arrived after it was switched off queued nothing for it.
    expect(states.length).toBeGreaterThanOrEqual(1);
    expect(new Set(states)).toEqual(new Set(['cancelled']));

    const hung = await waitFor(
      async () => {
        const e = await endpoint(rider, endpoints.hanging!.id);
        return e.enabled ? undefined : e;
      },
      { what: 'the hanging endpoint disabled', timeoutMs: 45_000 },
    );
    expect(hung.disabledReason).toMatch(/timed out|Timeout/i);
    // The healthy endpoint got everything, once each.
    expect(good.received).toHaveLength(5);
  }, 90_000);

  it('retries a flaky endpoint with the same delivery id until it answers 2xx; a re-enabled endpoint gets new events', async () => {
    const other = await signUp(users.url, { name: 'flaky' });
    const ep = await register(other, flaky.url);
    await emit(kafkaTopics.integrationSyncFailed.name, other.id, syncFailed(other.id));
    await waitFor(
      async () =>
        (await svc.ctx.db.query(`SELECT 1 FROM deliveries WHERE endpoint_id = $1 AND state = 'sent'`, [ep.id]))
          .rowCount === 1,
      { what: 'the delivery sent' },
    );
    const ids = new Set(flaky.received.map((h) => h.headers['wattstream-id']));
    expect(ids.size).toBe(1);
    expect(flaky.received).toHaveLength(3);
    const [row] = (
      await svc.ctx.db.query<{ attempts: number }>('SELECT attempts FROM deliveries WHERE endpoint_id = $1', [ep.id])
    ).rows;
    expect(row!.attempts).toBe(flaky.received.length);
    // A 2xx resets the failure count.
    expect((await endpoint(other, ep.id)).consecutiveFailures).toBe(0);

    failing.state.behaviour = 'ok';
    const on = await api<WebhookEndpoint>(
      svc.url,
      'POST',
      `/v1/users/${rider.id}/webhooks/${endpoints.failing!.id}/enable`,
      {
        token: rider.tokens.accessToken,
      },
    );
    expect(on.body).toMatchObject({ enabled: true, consecutiveFailures: 0, disabledReason: null });
    const before = failing.received.length;
    await emit(kafkaTopics.integrationSyncFailed.name, rider.id, syncFailed(rider.id, { activityId: 'after' }));
    const next = await waitFor(() => failing.received[before], { what: 'a delivery to the re-enabled endpoint' });
    expect(verify(next, endpoints.failing!.secret)).toBe(true);
  });
});
