import { bool, type ConfigOf, DEFAULT_SERVICE_PORTS, duration, int, port, str, url } from '@wattstream/platform';

export const notificationsPort = port('NOTIFICATIONS_PORT', {
  default: DEFAULT_SERVICE_PORTS.notifications,
  allowZero: true,
  description: 'HTTP: the REST API, /metrics, /healthz, /readyz',
});

export const notificationsConfig = {
  consumerGroup: str('NOTIFICATIONS_CONSUMER_GROUP', {
    default: 'notifications',
    pattern: /^[A-Za-z0-9._-]{1,128}$/,
    description: 'Kafka consumer group of every handler (one per deployment; tests give each instance its own)',
  }),
  smtpUrl: url('NOTIFICATIONS_SMTP_URL', {
    default: 'smtp://127.0.0.1:2525',
    protocols: ['smtp:', 'smtps:'],
    description:
      'SMTP server e-mails are sent through: smtp://[user:pass@]host:port (STARTTLS when offered) or smtps://',
  }),
  mailFrom: str('NOTIFICATIONS_MAIL_FROM', {
    default: 'Wattstream <notifications@wattstream.local>',
    pattern: /^[^\r\n]{3,200}$/,
    description: 'From: of every e-mail',
  }),
  smtpTimeout: duration('NOTIFICATIONS_SMTP_TIMEOUT', {
    default: '10s',
    min: 100,
    max: 120_000,
    description: 'connect, greeting and socket timeout of one SMTP conversation',
  }),
  appUrl: url('NOTIFICATIONS_APP_URL', {
    default: `http://127.0.0.1:${DEFAULT_SERVICE_PORTS.web}`,
    protocols: ['http:', 'https:'],
    description: 'the web app links in e-mails point to',
  }),
  dispatchPoll: duration('NOTIFICATIONS_DISPATCH_POLL', {
    default: '500ms',
    min: 10,
    max: 60_000,
    description: 'how often each replica looks for due e-mail and webhook deliveries',
  }),
  lease: duration('NOTIFICATIONS_LEASE', {
    default: '2m',
    min: 1000,
    description:
      'how long a claimed delivery belongs to the replica that claimed it; a replica that dies mid-send leaves it to another after this',
  }),
  retryInitial: duration('NOTIFICATIONS_RETRY_INITIAL', {
    default: '2s',
    min: 10,
    description: 'first retry delay (exponential backoff with full jitter from here)',
  }),
  retryMax: duration('NOTIFICATIONS_RETRY_MAX', {
    default: '10m',
    min: 10,
    description: 'longest retry delay (also while the SMTP server is down)',
  }),
  maxAttempts: int('NOTIFICATIONS_MAX_ATTEMPTS', {
    default: 8,
    min: 1,
    max: 100,
    description:
      'attempts of one webhook delivery, or of an e-mail the SMTP server refuses temporarily, before it fails',
  }),
  emailConcurrency: int('NOTIFICATIONS_EMAIL_CONCURRENCY', {
    default: 4,
    min: 1,
    max: 64,
    description: 'e-mails one replica sends at once',
  }),
  webhookTimeout: duration('NOTIFICATIONS_WEBHOOK_TIMEOUT', {
    default: '5s',
    min: 50,
    max: 60_000,
    description: 'time a webhook endpoint has to connect and answer',
  }),
  webhookConcurrency: int('NOTIFICATIONS_WEBHOOK_CONCURRENCY', {
    default: 32,
    min: 1,
    max: 1024,
    description: 'webhook requests one replica has in flight',
  }),
  webhookPerEndpoint: int('NOTIFICATIONS_WEBHOOK_PER_ENDPOINT', {
    default: 2,
    min: 1,
    max: 64,
    description: 'webhook requests one replica has in flight to one endpoint (a slow endpoint holds only these)',
  }),
  webhookDisableAfter: int('NOTIFICATIONS_WEBHOOK_DISABLE_AFTER', {
    default: 10,
    min: 1,
    max: 1000,
    description: 'consecutive failed attempts after which an endpoint is switched off',
  }),
  webhookMaxEndpoints: int('NOTIFICATIONS_WEBHOOK_MAX_ENDPOINTS', {
    default: 5,
    min: 1,
    max: 100,
    description: 'webhook endpoints one user may register',
  }),
  webhookAllowPrivate: bool('NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE', {
    default: false,
    description:
      'allow webhook URLs on loopback, private and link-local addresses (development and tests; never in production: SSRF)',
  }),
  digestHour: int('NOTIFICATIONS_DIGEST_HOUR', {
    default: 18,
    min: 0,
    max: 23,
    description: "local hour (user's time zone) the daily digest goes out",
  }),
};

export type NotificationsSettings = ConfigOf<typeof notificationsConfig>;

/** Settings that are each valid but do not work together. */
export function checkNotificationsConfig(c: NotificationsSettings): string[] {
  const problems: string[] = [];
  if (c.lease < 2 * Math.max(c.webhookTimeout, c.smtpTimeout)) {
    problems.push(
      'NOTIFICATIONS_LEASE must be at least twice NOTIFICATIONS_WEBHOOK_TIMEOUT and NOTIFICATIONS_SMTP_TIMEOUT (a send must end before its claim does)',
    );
  }
  if (c.retryMax < c.retryInitial) problems.push('NOTIFICATIONS_RETRY_MAX must be ≥ NOTIFICATIONS_RETRY_INITIAL');
  if (c.webhookPerEndpoint > c.webhookConcurrency) {
    problems.push('NOTIFICATIONS_WEBHOOK_PER_ENDPOINT must be ≤ NOTIFICATIONS_WEBHOOK_CONCURRENCY');
  }
  return problems;
}
