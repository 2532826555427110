import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { freePort, MailNode } from '@wattstream/infra';
import { tempDir } from '@wattstream/infra/testing';
import { startService } from '@wattstream/kernel';
import {
  produceEvent,
  type ServiceProcess,
  startTestService,
  testKafka,
  testServiceProcess,
  unique,
} from '@wattstream/testkit';
import { simpleParser } from 'mailparser';
import pg from 'pg';
import { notificationsService } from '../src/service.js';

export { api, PASSWORD, signUp, startUsers, type Users } from '../../users/test/support.js';

export const notificationsCli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
export type Notifications = Awaited<ReturnType<typeof startNotifications>>;

/** Settings that make retries, polls and timeouts test-sized. */
export const FAST: Record<string, string> = {
  OUTBOX_POLL: '200ms',
  NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE: 'true',
  NOTIFICATIONS_DISPATCH_POLL: '100ms',
  NOTIFICATIONS_RETRY_INITIAL: '100ms',
  NOTIFICATIONS_RETRY_MAX: '1s',
  NOTIFICATIONS_WEBHOOK_TIMEOUT: '1s',
  NOTIFICATIONS_SMTP_TIMEOUT: '2s',
  NOTIFICATIONS_LEASE: '10s',
  // Nothing listens there: tests that look at e-mail pass their own server's URL.
  NOTIFICATIONS_SMTP_URL: 'smtp://127.0.0.1:9',
};

/** How the testkit's service harness starts this service. */
export const harness = {
  name: 'notifications',
  definition: notificationsService,
  cli: notificationsCli,
  portEnv: 'NOTIFICATIONS_PORT',
  groupEnv: 'NOTIFICATIONS_CONSUMER_GROUP',
};

/**
 * The notifications service in-process on a fresh database, its own consumer group, tokens from
 * `jwksUrl` — or, with `shared`, a second replica on another one's database and consumer group.
 */
export async function startNotifications(
  jwksUrl: string,
  env: Record<string, string> = {},
  shared?: { databaseUrl: string; group: string },
) {
  if (!shared) {
    const svc = await startTestService(harness, jwksUrl, { ...FAST, ...env });
    return Object.assign(svc, { databaseUrl: svc.db.url });
  }
  const svc = await startService(notificationsService, {
    env: {
      ...process.env,
      LOG_LEVEL: 'silent',
      NOTIFICATIONS_PORT: '0',
      DATABASE_URL: shared.databaseUrl,
      AUTH_JWKS_URL: jwksUrl,
      NOTIFICATIONS_CONSUMER_GROUP: shared.group,
      ...FAST,
      ...env,
    },
  });
  return Object.assign(svc, {
    db: { url: shared.databaseUrl, drop: async () => {} },
    group: shared.group,
    databaseUrl: shared.databaseUrl,
    destroy: () => svc.stop(),
  });
}

/** The notifications service as a child process (for kill -9), on a free port. */
export const notificationsProcess = (env: Record<string, string>): Promise<ServiceProcess> =>
  testServiceProcess(harness, { ...FAST, ...env });

/** A real SMTP server writing a Maildir, on a free loopback port, in a throwaway folder. */
export async function startMail(): Promise<MailNode> {
  const node = new MailNode({ dir: tempDir('mail'), port: await freePort() });
  await node.start();
  return node;
}

export interface ParsedMail {
  deliveredTo: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  language: string;
  kind: string;
  notifications: string[];
}

/** Every message in the Maildir, parsed with mailparser. */
export async function mailbox(node: MailNode): Promise<ParsedMail[]> {
  return Promise.all(
    node.messages().map(async (m) => {
      const p = await simpleParser(m.raw);
      const h = (name: string) => {
        const v = p.headers.get(name);
        if (typeof v === 'string') return v;
        // address headers (Delivered-To) come parsed
        const addr = (v as { value?: { address?: string }[] } | undefined)?.value?.[0]?.address;
        return addr ?? (v === undefined ? '' : String(v));
      };
      return {
        deliveredTo: h('delivered-to'),
        subject: p.subject ?? '',
        text: p.text ?? '',
        html: typeof p.html === 'string' ? p.html : '',
        messageId: p.messageId ?? '',
        language: h('content-language'),
        kind: h('x-wattstream-kind'),
        notifications: h('x-wattstream-notification')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      };
    }),
  );
}

export const mailTo = async (node: MailNode, email: string) =>
  (await mailbox(node)).filter((m) => m.deliveredTo.toLowerCase() === email.toLowerCase());

export interface ReceivedHook {
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
}

/**
 * A webhook receiver on a free loopback port: answers 204, or 500, or never (`hang`: the request
 * is held open until the receiver closes), as `behaviour` says at the time of the request.
 */
export async function startReceiver(behaviour: 'ok' | 'fail' | 'hang' = 'ok') {
  const port = await freePort();
  const received: ReceivedHook[] = [];
  const sockets = new Set<Socket>();
  /** `failFirst`: answer 500 to that many requests first, whatever `behaviour` says. */
  const state = { behaviour, failFirst: 0 };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      if (state.failFirst > 0) {
        state.failFirst--;
        res.writeHead(500, { 'content-type': 'text/plain' }).end('not yet');
      } else if (state.behaviour === 'ok') res.writeHead(204).end();
      else if (state.behaviour === 'fail') res.writeHead(500, { 'content-type': 'text/plain' }).end('boom');
      // hang: no answer
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    state,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export const kafka = testKafka('notifications-test');

/** Produces one event the way its producer service would (CloudEvents headers). */
export async function emit(topic: string, key: string, value: unknown, id = unique('ev')): Promise<string> {
  await produceEvent(kafka, topic, { key, value, id });
  return id;
}

/** Queries a service database directly (assertions on queued deliveries, time travel for digests). */
export async function sql<T extends pg.QueryResultRow = Record<string, unknown>>(
  url: string,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(text, params)).rows;
  } finally {
    await c.end();
  }
}

/** A valid `integration.sync.failed` value. */
export function syncFailed(userId: string, extra: Record<string, unknown> = {}) {
  return {
    userId,
    provider: 'strava',
    direction: 'export',
    attempt: 1,
    retryable: true,
    error: { code: 'STRAVA_RATE_LIMITED', message: 'Strava answered 429', httpStatus: 429 },
    failedAt: Date.now(),
    ...extra,
  };
}

/** A valid `user.contact.updated` value. */
export function contact(userId: string, extra: Record<string, unknown> = {}) {
  return {
    userId,
    email: `${userId}@example.com`,
    displayName: `Rider ${userId.slice(-4)}`,
    locale: 'en',
    timeZone: 'UTC',
    updatedAt: Date.now(),
    ...extra,
  };
}

/** A test id usable as a contract id (1–64 of [A-Za-z0-9_-]). */
export const uid = (name: string) =>
  unique(name)
    .replace(/[^A-Za-z0-9_-]/g, '')
    .slice(0, 60);
