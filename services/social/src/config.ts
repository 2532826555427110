import { type ConfigOf, DEFAULT_SERVICE_PORTS, duration, int, port, str } from '@wattstream/platform';

export const socialPort = port('SOCIAL_PORT', {
  default: DEFAULT_SERVICE_PORTS.social,
  allowZero: true,
  description: 'HTTP: the REST API, /metrics, /healthz, /readyz',
});

export const socialConfig = {
  consumerGroup: str('SOCIAL_CONSUMER_GROUP', {
    default: 'social',
    pattern: /^[A-Za-z0-9._-]{1,128}$/,
    description: 'Kafka consumer group of every handler (one per deployment; tests give each instance its own)',
  }),
  commentRate: int('SOCIAL_COMMENT_RATE', {
    default: 10,
    min: 1,
    max: 10_000,
    description: 'comments one user may post per SOCIAL_COMMENT_WINDOW (429 beyond)',
  }),
  commentWindow: duration('SOCIAL_COMMENT_WINDOW', {
    default: '1m',
    min: 1000,
    max: 86_400_000,
    description: 'window of SOCIAL_COMMENT_RATE',
  }),
};
export type SocialConfig = ConfigOf<typeof socialConfig>;
