import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cloudEventHeaders, kafkaTopics } from '@wattstream/contracts';
import { freePort, MailNode } from '@wattstream/infra';
import { testDatabase } from '@wattstream/infra/testing';
import { startService } from '@wattstream/kernel';
import { notificationId, notificationsService } from '@wattstream/notifications';
import { createConsumer, createKafka, createLogger, createProducer } from '@wattstream/platform';
import type { Benchmark } from '../benchmark.js';
import { LatencyRecorder, round } from '../stats.js';

const USERS = 20;
const RATE = 20;

/**
 * The notifications service end to end: `integration.sync.failed` events produced at a steady
 * rate for 20 users, each turned into a live notification (`notifications.live` through the
 * outbox, timed at a Kafka consumer) and an e-mail (through a real SMTP server into a Maildir,
 * timed when its file appears). Latency is from the event's send to its arrival.
 */
export const notifications: Benchmark = {
  name: 'notifications',
  description:
    `notifications service: ${RATE} events/s for ${USERS} users → live notification (Kafka) and e-mail (SMTP → Maildir); ` +
    'event → live and event → mailbox p50/p99.',
  defaultDurationMs: 15_000,
  async run(ctx) {
    const { env, dir } = await ctx.infra();
    const run = randomBytes(4).toString('hex');
    const db = await testDatabase('bench_notifications', env.POSTGRES_URL);
    ctx.onCleanup(() => db.drop());
    const mail = new MailNode({ dir: join(dir, `mail-${run}`), port: await freePort() });
    await mail.start();
    ctx.onCleanup(() => mail.stop());
    const logger = createLogger('bench', 'warn');
    const kafka = createKafka({ brokers: env.KAFKA_BROKERS!.split(','), clientId: 'bench-notifications', logger });

    const svc = await startService(notificationsService, {
      env: {
        ...process.env,
        ...env,
        LOG_LEVEL: process.env.BENCH_SERVICE_LOG_LEVEL ?? 'silent',
        DATABASE_URL: db.url,
        NOTIFICATIONS_PORT: '0',
        NOTIFICATIONS_CONSUMER_GROUP: `bench-notifications-${run}`,
        NOTIFICATIONS_SMTP_URL: mail.url,
        AUTH_JWKS_URL: 'http://127.0.0.1:9/jwks.json',
      },
    });
    ctx.onCleanup(() => svc.stop());

    const producer = createProducer(kafka);
    await producer.connect();
    ctx.onCleanup(() => producer.disconnect());
    const send = (topic: string, key: string, value: unknown, id: string) =>
      producer.send({
        topic,
        acks: -1,
        messages: [
          {
            key,
            value: JSON.stringify(value),
            headers: cloudEventHeaders({ type: topic, id, source: '/bench', time: Date.now() }),
          },
        ],
      });
    const users = Array.from({ length: USERS }, (_, i) => `bench-${run}-${i}`);
    for (const u of users) {
      await send(
        kafkaTopics.contactUpdated.name,
        u,
        { userId: u, email: `${u}@bench.local`, locale: 'en', timeZone: 'UTC', updatedAt: Date.now() },
        `${u}:contact`,
      );
    }
    for (let i = 0; i < 200; i++) {
      const r = await svc.ctx.db.query<{ n: string }>('SELECT count(*) AS n FROM contacts');
      if (Number(r.rows[0]?.n) === USERS) break;
      await new Promise((r) => setTimeout(r, 100));
    }

    const sentAt = new Map<string, number>();
    const liveAt = new Map<string, number>();
    const mailAt = new Map<string, number>();
    const consumer = createConsumer(kafka, { groupId: `bench-live-${run}`, maxWaitTimeInMs: 20 });
    await consumer.connect();
    await consumer.subscribe({ topic: kafkaTopics.notificationLive.name, fromBeginning: false });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const v = JSON.parse(message.value?.toString() ?? '{}') as { notificationId?: string };
        if (v.notificationId) liveAt.set(v.notificationId, performance.now());
      },
    });
    ctx.onCleanup(() => consumer.disconnect());
    const seen = new Set<string>();
    const newDir = join(mail.maildir, 'new');
    const watch = setInterval(() => {
      for (const f of readdirSync(newDir)) {
        if (seen.has(f)) continue;
        seen.add(f);
        const m = /X-Wattstream-Notification: (n[A-Za-z0-9_-]+)/.exec(readFileSync(join(newDir, f), 'utf8'));
        if (m?.[1]) mailAt.set(m[1], performance.now());
      }
    }, 2);
    ctx.onCleanup(() => clearInterval(watch));
    await new Promise((r) => setTimeout(r, 2000)); // the live consumer joins

    const total = ctx.warmupMs + ctx.durationMs;
    const start = performance.now();
    const measureFrom = start + ctx.warmupMs;
    let i = 0;
    while (performance.now() - start < total) {
      const due = start + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const user = users[i % USERS]!;
      const id = `bench-${run}-${i}`;
      const at = performance.now();
      await send(
        kafkaTopics.integrationSyncFailed.name,
        user,
        {
          userId: user,
          provider: 'strava',
          direction: 'export',
          attempt: 1,
          retryable: false,
          error: { code: 'BENCH', message: 'benchmark' },
          failedAt: Date.now(),
        },
        id,
      );
      if (at >= measureFrom) sentAt.set(notificationId(id, user, 'integration.sync.failed'), due);
      i++;
    }
    const deadline = performance.now() + 60_000;
    const missing = () => [...sentAt.keys()].filter((n) => !liveAt.has(n) || !mailAt.has(n)).length;
    while (missing() > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (missing() > 0) throw new Error(`${missing()} of ${sentAt.size} notifications never arrived on both channels`);
    const live = new LatencyRecorder();
    const email = new LatencyRecorder();
    for (const [n, t] of sentAt) {
      live.recordMs(Math.max(0, liveAt.get(n)! - t));
      email.recordMs(Math.max(0, mailAt.get(n)! - t));
    }
    const l = live.summary();
    const e = email.summary();
    return {
      figures: {
        eventsPerS: RATE,
        events: sentAt.size,
        eventToLiveP50Ms: round(l.p50, 1),
        eventToLiveP99Ms: round(l.p99, 1),
        eventToMailboxP50Ms: round(e.p50, 1),
        eventToMailboxP99Ms: round(e.p99, 1),
      },
      ratios: {},
      charts: [
        {
          kind: 'percentile',
          title: `event → delivered, ${RATE} events/s`,
          yLabel: 'ms',
          curves: [
            { name: 'live (outbox → notifications.live → consumer)', points: live.curve() },
            { name: 'e-mail (queue → SMTP → Maildir)', points: email.curve() },
          ],
        },
      ],
      notes: [
        'Latency from the intended send time of each event (no coordinated omission) to the live record reaching a Kafka consumer, and to the e-mail file appearing in the Maildir (polled every 2 ms).',
        'Defaults of the service: the outbox relay and the e-mail dispatcher both wake on a NOTIFY at commit (polling every OUTBOX_POLL / NOTIFICATIONS_DISPATCH_POLL only as a fallback); each e-mail is one SMTP connection.',
        'The service and the SMTP server run in the harness process; PostgreSQL and Kafka float over both cores.',
      ],
    };
  },
};
