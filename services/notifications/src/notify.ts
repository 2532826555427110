import { createHash } from 'node:crypto';
import { kafkaTopics, type NotificationKind, type NotificationLive } from '@wattstream/contracts';
import type { Outbox, OutboxEvent, Queryable } from '@wattstream/kernel';
import { channelsFor, KIND_RULES } from './kinds.js';
import type { NotificationMetrics } from './metrics.js';
import { contactsOf } from './store/contacts.js';
import { enabledEndpoints } from './store/endpoints.js';
import { insertNotification, type NewDelivery } from './store/notifications.js';
import { effectivePreferences } from './store/preferences.js';
import { type Params, renderText } from './templates/index.js';
import { digestDue, releaseAfterQuiet } from './time.js';

/** One thing to tell one user, from one event. */
export interface Trigger {
  userId: string;
  kind: NotificationKind;
  /** ce_id of the event: with the user and kind it names the notification. */
  sourceId: string;
  /** ce_time of the event, epoch ms (the start of the delivery latency). */
  eventTime: number;
  /** the other user it is about, erased with them */
  actorId?: string;
  params: Params;
  link?: string;
}

export interface Notifier {
  outbox: Outbox;
  metrics: NotificationMetrics;
  digestHour: number;
}

/** Stable id of the notification an event makes for a user: a redelivered or replayed event names the same one. */
export function notificationId(sourceId: string, userId: string, kind: NotificationKind): string {
  return `n${createHash('sha256').update(`${sourceId}\u0000${userId}\u0000${kind}`).digest('base64url').slice(0, 32)}`;
}

/**
 * Turns triggers into notifications inside the consumer's transaction: for each recipient their
 * preferences pick the channels; the live one is a `notifications.live` record through the outbox
 * (never held); e-mail and webhook deliveries are queued rows, held until the end of quiet hours
 * in the user's time zone, and e-mails of low-priority kinds wait for the user's digest. The text
 * is in the user's locale (English when there is no template for it). Returns the notifications written.
 */
export async function notify(n: Notifier, tx: Queryable, triggers: Trigger[], now = Date.now()): Promise<number> {
  if (triggers.length === 0) return 0;
  const ids = [...new Set(triggers.map((t) => t.userId))];
  // One after another: they share the consumer's transaction (one connection).
  const prefs = await effectivePreferences(tx, ids);
  const contacts = await contactsOf(tx, ids);
  const endpoints = await enabledEndpoints(tx, ids);
  const live: OutboxEvent[] = [];
  const liveEventTimes: number[] = [];
  let written = 0;
  for (const t of triggers) {
    const p = prefs.get(t.userId)!;
    const contact = contacts.get(t.userId);
    const timeZone = contact?.timeZone ?? 'UTC';
    const channels = channelsFor(p, t.kind);
    if (channels.length === 0) continue;
    const rule = KIND_RULES[t.kind];
    const text = renderText(t.kind, contact?.locale, t.params);
    const id = notificationId(t.sourceId, t.userId, t.kind);
    const deliveries: NewDelivery[] = [];
    const release = releaseAfterQuiet(now, timeZone, p.quiet);
    if (channels.includes('email')) {
      const digest = rule.priority === 'low' && p.digest !== 'off';
      const due = digest && p.digest !== 'off' ? digestDue(now, timeZone, p.digest, n.digestHour) : now;
      deliveries.push({
        channel: 'email',
        endpointId: null,
        digest,
        notBefore: releaseAfterQuiet(due, timeZone, p.quiet),
      });
    }
    if (channels.includes('webhook')) {
      for (const e of endpoints.get(t.userId) ?? []) {
        if (e.kinds && !e.kinds.includes(t.kind)) continue;
        deliveries.push({ channel: 'webhook', endpointId: e.id, digest: false, notBefore: release });
      }
    }
    const inserted = await insertNotification(
      tx,
      {
        id,
        userId: t.userId,
        kind: t.kind,
        sourceId: t.sourceId,
        actorId: t.actorId ?? null,
        priority: rule.priority,
        params: t.params,
        title: text.title,
        body: text.body,
        locale: text.locale,
        link: t.link ?? null,
        eventTime: t.eventTime,
      },
      deliveries,
    );
    if (!inserted) continue;
    written++;
    if (channels.includes('live')) {
      const value: NotificationLive = {
        notificationId: id,
        userId: t.userId,
        kind: t.kind,
        title: text.title.slice(0, 200),
        body: text.body.slice(0, 2000),
        locale: text.locale,
        ...(t.link ? { link: t.link } : {}),
        createdAt: now,
      };
      live.push({ topic: kafkaTopics.notificationLive, key: t.userId, value, id });
      liveEventTimes.push(t.eventTime);
    }
  }
  await n.outbox.enqueue(tx, ...live);
  for (const eventTime of liveEventTimes) {
    n.metrics.deliveries.inc({ channel: 'live', outcome: 'sent' });
    n.metrics.latency.observe({ channel: 'live' }, Math.max(0, now - eventTime) / 1000);
  }
  return written;
}
