import { bytes, DEFAULT_SERVICE_PORTS, port, str } from '@wattstream/platform';

export const trainingPort = port('TRAINING_PORT', {
  default: DEFAULT_SERVICE_PORTS.training,
  allowZero: true,
  description: 'HTTP: the REST API, /metrics, /healthz, /readyz',
});

export const trainingConfig = {
  consumerGroup: str('TRAINING_CONSUMER_GROUP', {
    default: 'training',
    pattern: /^[A-Za-z0-9._-]{1,128}$/,
    description: 'Kafka consumer group of every handler (one per deployment; tests give each instance its own)',
  }),
  uploadLimit: bytes('TRAINING_UPLOAD_LIMIT', {
    default: '25MiB',
    min: 1024,
    max: 256 * 1024 * 1024,
    description: 'largest FIT or workout file accepted (413 beyond, refused before parsing)',
  }),
};
