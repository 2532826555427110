import type { WebhookPayload } from '@wattstream/contracts';
import { backoffDelay, type Pool } from '@wattstream/kernel';
import type { Logger } from '@wattstream/platform';
import pg from 'pg';
import type { NotificationsSettings } from '../config.js';
import { NotificationsErrorCode } from '../errors.js';
import type { NotificationMetrics } from '../metrics.js';
import { contactsOf } from '../store/contacts.js';
import {
  type ClaimedDelivery,
  claimEmail,
  claimWebhooks,
  markFailed,
  markSent,
  queueDepth,
  reschedule,
} from '../store/deliveries.js';
import { endpointById, recordEndpointFailure, recordEndpointSuccess } from '../store/endpoints.js';
import { renderEmail } from '../templates/index.js';
import type { EmailSender } from './email.js';
import type { WebhookSender } from './webhook.js';

/** The channel a trigger NOTIFYs at commit, so a replica sends at once instead of at its next poll. */
export const DELIVERIES_CHANNEL = 'notifications_deliveries';

/** How long an e-mail without a known address waits for `user.contact.updated` before it fails. */
const NO_CONTACT_ATTEMPTS = 20;
const DEPTH_EVERY_MS = 5_000;

/**
 * Sends what the triggers queued. Each replica polls the `deliveries` table; claims use `FOR UPDATE
 * SKIP LOCKED` with a lease and a claim token, so a row is sent by one replica at a time and only
 * the claim holder records the outcome.
 *
 * - **E-mail**: at most `emailConcurrency` at once. The SMTP server down: the row goes back to the
 *   queue with backoff (capped at `retryMax`) and no attempt limit; it is sent once the server is
 *   back. A 4xx reply is retried up to `maxAttempts`; a 5xx reply fails it. A user's due digest
 *   rows become one e-mail.
 * - **Webhooks**: at most `webhookConcurrency` requests in flight, `webhookPerEndpoint` per endpoint,
 *   each bounded by `webhookTimeout`; a failure is retried with exponential backoff and full jitter;
 *   `webhookDisableAfter` consecutive failures switch the endpoint off. A hanging or failing endpoint
 *   holds only its own slots.
 */
export class Dispatcher {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private emailInFlight = 0;
  private readonly webhookInFlight = new Map<string, number>();
  private webhookTotal = 0;
  private readonly running = new Set<Promise<unknown>>();
  private ticking = false;
  private again = false;
  private lastDepth = 0;
  private listener: pg.Client | undefined;

  constructor(
    private readonly o: {
      pool: Pool;
      databaseUrl: string | undefined;
      config: NotificationsSettings;
      email: EmailSender;
      webhook: WebhookSender;
      metrics: NotificationMetrics;
      logger: Logger;
    },
  ) {}

  start(): void {
    this.schedule(0);
    void this.listen();
  }

  /** LISTENs for new deliveries; without it (or while it reconnects) polling still finds them. */
  private async listen(): Promise<void> {
    if (this.stopped || !this.o.databaseUrl) return;
    const client = new pg.Client({ connectionString: this.o.databaseUrl, application_name: 'notifications-dispatch' });
    let retried = false;
    const retry = () => {
      if (retried) return;
      retried = true;
      if (this.listener === client) this.listener = undefined;
      client.end().catch(() => {});
      if (!this.stopped) setTimeout(() => void this.listen(), 5_000).unref();
    };
    client.on('error', retry);
    client.on('notification', () => this.wake());
    try {
      await client.connect();
      await client.query(`LISTEN ${DELIVERIES_CHANNEL}`);
      if (this.stopped) {
        await client.end();
        return;
      }
      this.listener = client;
    } catch (err) {
      this.o.logger.debug({ err: (err as Error).message }, 'dispatcher LISTEN failed; polling meanwhile');
      retry();
    }
  }

  /** Looks for work now (after a send finished, a slot is free). */
  wake(): void {
    if (this.stopped) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    this.ticking = true;
    try {
      await Promise.all([this.emailRound(), this.webhookRound()]);
      if (Date.now() - this.lastDepth > DEPTH_EVERY_MS) await this.refreshDepth();
    } catch (err) {
      this.o.logger.warn({ err: (err as Error).message }, 'dispatch round failed; retrying');
    } finally {
      this.ticking = false;
    }
    if (this.again) {
      this.again = false;
      this.schedule(0);
    } else this.schedule(this.o.config.dispatchPoll);
  }

  async refreshDepth(): Promise<void> {
    this.lastDepth = Date.now();
    const rows = await queueDepth(this.o.pool);
    this.o.metrics.queueDepth.reset();
    for (const ch of ['email', 'webhook']) {
      for (const st of ['pending', 'sending']) {
        const n = rows.find((r) => r.channel === ch && r.state === st)?.n ?? 0;
        this.o.metrics.queueDepth.set({ channel: ch, state: st }, n);
      }
    }
  }

  private track(p: Promise<unknown>): void {
    const t = p.finally(() => {
      this.running.delete(t);
      this.wake();
    });
    this.running.add(t);
  }

  private async emailRound(): Promise<void> {
    const free = this.o.config.emailConcurrency - this.emailInFlight;
    if (free <= 0) return;
    const rows = await claimEmail(this.o.pool, free, this.o.config.lease);
    // One e-mail per non-digest row; one per user for their digest rows.
    const groups = new Map<string, ClaimedDelivery[]>();
    for (const r of rows) {
      const key = r.digest ? `digest:${r.userId}` : `one:${r.id}`;
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    for (const group of groups.values()) {
      this.emailInFlight++;
      this.track(this.sendEmail(group).finally(() => this.emailInFlight--));
    }
  }

  private async sendEmail(group: ClaimedDelivery[]): Promise<void> {
    const first = group[0]!;
    const ids = group.map((d) => d.id);
    const claim = first.claim;
    try {
      const contact = (await contactsOf(this.o.pool, [first.userId])).get(first.userId);
      if (!contact) {
        // The contact event may still be on its way (projections are eventually consistent).
        if (first.attempts >= NO_CONTACT_ATTEMPTS) {
          await markFailed(this.o.pool, ids, claim, 'no e-mail address known for the user');
          this.o.metrics.deliveries.inc({ channel: 'email', outcome: 'failed' }, ids.length);
        } else {
          await reschedule(this.o.pool, ids, claim, this.delay(first.attempts), 'no e-mail address known yet');
          this.o.metrics.deliveries.inc({ channel: 'email', outcome: 'retried' }, ids.length);
        }
        return;
      }
      const digest = first.digest;
      const mail = renderEmail(
        group.map((d) => ({ kind: d.kind, params: d.params, link: d.link })),
        { locale: contact.locale, name: contact.displayName ?? undefined, appUrl: this.o.config.appUrl, digest },
      );
      const result = await this.o.email.send({
        to: contact.email,
        ...mail,
        messageId: `<${digest ? `digest-${ids.join('-')}` : `delivery-${first.id}`}@notifications.wattstream>`,
        headers: {
          'X-Wattstream-Notification': group.map((d) => d.notificationId).join(', '),
          'X-Wattstream-Kind': digest ? 'digest' : first.kind,
          'List-Unsubscribe': `<${this.o.config.appUrl}/settings/notifications>`,
        },
      });
      if (result.ok) {
        const n = await markSent(this.o.pool, ids, claim);
        this.o.metrics.deliveries.inc({ channel: 'email', outcome: 'sent' }, n);
        const now = Date.now();
        for (const d of group)
          this.o.metrics.latency.observe({ channel: 'email' }, Math.max(0, now - d.eventTime) / 1000);
        return;
      }
      if (result.kind === 'permanent' || (result.kind === 'temporary' && first.attempts >= this.o.config.maxAttempts)) {
        await markFailed(this.o.pool, ids, claim, result.error);
        this.o.metrics.deliveries.inc({ channel: 'email', outcome: 'failed' }, ids.length);
        this.o.logger.warn(
          { code: NotificationsErrorCode.DeliveryFailed, deliveries: ids, error: result.error },
          'e-mail failed for good',
        );
        return;
      }
      await reschedule(this.o.pool, ids, claim, this.delay(first.attempts), result.error);
      this.o.metrics.deliveries.inc({ channel: 'email', outcome: 'retried' }, ids.length);
      if (result.kind === 'unavailable') {
        this.o.logger.warn(
          { code: NotificationsErrorCode.SmtpUnavailable, error: result.error, deliveries: ids.length },
          'SMTP server unavailable; e-mails stay queued',
        );
      }
    } catch (err) {
      // The database failed under us: the lease runs out and the rows are claimed again.
      this.o.logger.warn({ err: (err as Error).message, deliveries: ids }, 'e-mail outcome not recorded');
    }
  }

  private async webhookRound(): Promise<void> {
    const free = this.o.config.webhookConcurrency - this.webhookTotal;
    if (free <= 0) return;
    const busy = [...this.webhookInFlight].filter(([, n]) => n >= this.o.config.webhookPerEndpoint).map(([id]) => id);
    // Several passes: each claims at most one row per endpoint, so a backlog at one endpoint
    // fills its own slots and the rest go to others.
    for (let pass = 0; pass < this.o.config.webhookPerEndpoint; pass++) {
      const rows = await claimWebhooks(
        this.o.pool,
        this.o.config.webhookConcurrency - this.webhookTotal,
        busy,
        this.o.config.lease,
      );
      if (rows.length === 0) return;
      for (const d of rows) {
        const id = d.endpointId!;
        const n = (this.webhookInFlight.get(id) ?? 0) + 1;
        this.webhookInFlight.set(id, n);
        this.webhookTotal++;
        if (n >= this.o.config.webhookPerEndpoint) busy.push(id);
        this.track(
          this.sendWebhook(d).finally(() => {
            this.webhookTotal--;
            const left = (this.webhookInFlight.get(id) ?? 1) - 1;
            if (left <= 0) this.webhookInFlight.delete(id);
            else this.webhookInFlight.set(id, left);
          }),
        );
      }
    }
  }

  private async sendWebhook(d: ClaimedDelivery): Promise<void> {
    try {
      const endpoint = await endpointById(this.o.pool, d.endpointId!);
      if (!endpoint?.enabled) {
        await markFailed(this.o.pool, [d.id], d.claim, 'endpoint disabled');
        return;
      }
      const payload: WebhookPayload = {
        id: `wh_${d.id}`,
        type: d.kind,
        notificationId: d.notificationId,
        userId: d.userId,
        createdAt: d.createdAt.toISOString(),
        title: d.title,
        body: d.body,
        locale: d.locale,
        link: d.link,
      };
      const result = await this.o.webhook.send(endpoint.url, endpoint.secret, payload.id, JSON.stringify(payload));
      if (result.ok) {
        await markSent(this.o.pool, [d.id], d.claim);
        await recordEndpointSuccess(this.o.pool, endpoint.id);
        this.o.metrics.deliveries.inc({ channel: 'webhook', outcome: 'sent' });
        this.o.metrics.latency.observe({ channel: 'webhook' }, Math.max(0, Date.now() - d.eventTime) / 1000);
        return;
      }
      const disabled = await recordEndpointFailure(
        this.o.pool,
        endpoint.id,
        result.error,
        this.o.config.webhookDisableAfter,
      );
      if (disabled) {
        this.o.metrics.endpointsDisabled.inc();
        this.o.metrics.deliveries.inc({ channel: 'webhook', outcome: 'cancelled' });
        this.o.logger.warn(
          {
            endpoint: endpoint.id,
            userId: endpoint.user_id,
            error: result.error,
            code: NotificationsErrorCode.WebhookDisabled,
          },
          'webhook endpoint disabled after repeated failures',
        );
        return;
      }
      if (d.attempts >= this.o.config.maxAttempts) {
        await markFailed(this.o.pool, [d.id], d.claim, result.error);
        this.o.metrics.deliveries.inc({ channel: 'webhook', outcome: 'failed' });
        this.o.logger.warn(
          { code: NotificationsErrorCode.DeliveryFailed, delivery: d.id, endpoint: endpoint.id, error: result.error },
          'webhook delivery failed for good',
        );
        return;
      }
      await reschedule(this.o.pool, [d.id], d.claim, this.delay(d.attempts), result.error);
      this.o.metrics.deliveries.inc({ channel: 'webhook', outcome: 'retried' });
    } catch (err) {
      this.o.logger.warn({ err: (err as Error).message, delivery: d.id }, 'webhook outcome not recorded');
    }
  }

  /** Exponential backoff with full jitter (the kernel's), never less than a tenth of the first delay. */
  private delay(attempt: number): number {
    const b = { initialMs: this.o.config.retryInitial, maxMs: this.o.config.retryMax };
    return Math.max(Math.round(b.initialMs / 10), backoffDelay(attempt, b));
  }

  /** Stops claiming; sends in flight finish (their outcome is recorded). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const l = this.listener;
    this.listener = undefined;
    await l?.end().catch(() => {});
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }
}
