import { DEFAULT_SERVICE_PORTS, duration, port, sharedConfig, str } from '@wattstream/platform';

export const trackingPort = port('TRACKING_PORT', {
  default: DEFAULT_SERVICE_PORTS.tracking,
  allowZero: true,
  description: 'HTTP: the REST API, /metrics, /healthz, /readyz',
});

export const trackingConfig = {
  questdbHttp: sharedConfig.questdbHttp,
  consumerGroup: str('TRACKING_CONSUMER_GROUP', {
    default: 'tracking',
    pattern: /^[A-Za-z0-9._-]{1,128}$/,
    description: 'Kafka consumer group of every handler (one per deployment; tests give each instance its own)',
  }),
  maxRange: duration('TRACKING_MAX_RANGE', {
    default: '31d',
    min: 60_000,
    max: 366 * 86_400_000,
    description: 'longest time range one history request may cover (a longer one is refused with 400)',
  }),
  queryTimeout: duration('TRACKING_QUERY_TIMEOUT', {
    default: '15s',
    min: 100,
    description: 'a QuestDB query taking longer answers 503',
  }),
};
