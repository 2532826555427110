import { kafkaTopics } from '@wattstream/contracts';
import type { MailNode } from '@wattstream/infra';
import { never, waitFor } from '@wattstream/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  contact,
  emit,
  mailTo,
  type Notifications,
  startMail,
  startNotifications,
  syncFailed,
  uid,
} from './support.js';

describe('notifications: the SMTP server down', () => {
  let mail: MailNode;
  let a: Notifications;
  let b: Notifications;
  const user = uid('outage');
  const email = `${user}@example.com`;
  const N = 12;

  beforeAll(async () => {
    mail = await startMail();
    a = await startNotifications('http://127.0.0.1:9/jwks.json', { NOTIFICATIONS_SMTP_URL: mail.url });
    // A second replica on the same database and consumer group: both send from the same queue.
    b = await startNotifications(
      'http://127.0.0.1:9/jwks.json',
      { NOTIFICATIONS_SMTP_URL: mail.url },
      { databaseUrl: a.databaseUrl, group: a.group },
    );
    await emit(kafkaTopics.contactUpdated.name, user, contact(user));
    await waitFor(
      async () => (await a.ctx.db.query('SELECT 1 FROM contacts WHERE user_id = $1', [user])).rowCount === 1,
      {
        what: 'the contact projected',
        timeoutMs: 60_000,
      },
    );
  }, 120_000);
  afterAll(async () => {
    await b?.stop();
    await a?.destroy();
    await mail?.stop();
  });

  it('queues e-mails while SMTP is down and sends each exactly once when it is back, with two replicas', async () => {
    await mail.stop();
    for (let i = 0; i < N; i++) {
      await emit(
        kafkaTopics.integrationSyncFailed.name,
        user,
        syncFailed(user, { activityId: `x${i}`, retryable: false }),
      );
    }
    // Every e-mail queued, and tried against the dead server at least twice.
    await waitFor(
      async () => {
        const r = await a.ctx.db.query<{ n: string }>(
          `SELECT count(*) AS n FROM deliveries WHERE user_id = $1 AND channel = 'email' AND state IN ('pending', 'sending')
             AND attempts >= 2 AND last_error IS NOT NULL`,
          [user],
        );
        return Number(r.rows[0]?.n) === N;
      },
      { what: 'the e-mails queued and retried', timeoutMs: 30_000 },
    );
    const [err] = (
      await a.ctx.db.query<{ last_error: string }>('SELECT last_error FROM deliveries WHERE user_id = $1 LIMIT 1', [
        user,
      ])
    ).rows;
    expect(err!.last_error).toMatch(/ECONNECTION|ECONNREFUSED/);
    expect(await mailTo(mail, email)).toEqual([]);

    await mail.start();
    await waitFor(async () => (await mailTo(mail, email)).length >= N, {
      what: 'the queued e-mails',
      timeoutMs: 30_000,
    });
    await never(async () => (await mailTo(mail, email)).length > N, 2000, 'an e-mail sent twice');
    const got = await mailTo(mail, email);
    expect(new Set(got.map((m) => m.messageId)).size).toBe(N);
    expect(new Set(got.flatMap((m) => m.notifications)).size).toBe(N);
    const states = await a.ctx.db.query<{ state: string; n: string }>(
      `SELECT state, count(*) AS n FROM deliveries WHERE user_id = $1 GROUP BY state`,
      [user],
    );
    expect(states.rows).toEqual([{ state: 'sent', n: String(N) }]);
    // Both replicas' metrics (which one sent what is up to the claims; they also serve the other
    // test files' users, whose events are on the same topics).
    const metrics = (await Promise.all([a, b].map(async (r) => (await fetch(`${r.url}/metrics`)).text()))).join('\n');
    const total = (name: string, labels: string) =>
      metrics
        .split('\n')
        .filter((l) => l.startsWith(`${name}{`) && labels.split(',').every((kv) => l.includes(kv)))
        .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
    expect(total('wattstream_notifications_deliveries_total', 'channel="email",outcome="sent"')).toBeGreaterThanOrEqual(
      N,
    );
    expect(
      total('wattstream_notifications_deliveries_total', 'channel="email",outcome="retried"'),
    ).toBeGreaterThanOrEqual(2 * N);
    expect(total('wattstream_notifications_delivery_seconds_count', 'channel="email"')).toBeGreaterThanOrEqual(N);
    expect(metrics).toMatch(/wattstream_notifications_queue_depth\{channel="email",state="pending"/);
  }, 120_000);
});
