import { Counter, Gauge, Histogram, type Registry } from '@wattstream/platform';

/** Seconds from the triggering event to the delivery: 10 ms to 1 h (e-mails wait out outages). */
const DELIVERY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

export function notificationMetrics(registry: Registry) {
  const r = { registers: [registry] };
  return {
    deliveries: new Counter({
      name: 'wattstream_notifications_deliveries_total',
      help: 'delivery attempts by channel (live, email, webhook) and outcome (sent, retried, failed, cancelled)',
      labelNames: ['channel', 'outcome'] as const,
      ...r,
    }),
    latency: new Histogram({
      name: 'wattstream_notifications_delivery_seconds',
      help: 'time from the triggering event (its ce_time) to the delivery: live = written to the outbox, email = accepted by the SMTP server, webhook = answered 2xx',
      labelNames: ['channel'] as const,
      buckets: DELIVERY_BUCKETS,
      ...r,
    }),
    queueDepth: new Gauge({
      name: 'wattstream_notifications_queue_depth',
      help: 'e-mail and webhook deliveries waiting (pending, including held by quiet hours or digests) or being sent, per channel',
      labelNames: ['channel', 'state'] as const,
      ...r,
    }),
    endpointsDisabled: new Counter({
      name: 'wattstream_notifications_webhook_endpoints_disabled_total',
      help: 'webhook endpoints switched off after too many consecutive failures',
      ...r,
    }),
  };
}
export type NotificationMetrics = ReturnType<typeof notificationMetrics>;
