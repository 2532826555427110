import { DEFAULT_SERVICE_PORTS, port, str } from '@wattstream/platform';

export const inventoryPort = port('INVENTORY_PORT', {
  default: DEFAULT_SERVICE_PORTS.inventory,
  allowZero: true,
  description: 'HTTP: the REST API, /metrics, /healthz, /readyz',
});

export const inventoryConfig = {
  consumerGroup: str('INVENTORY_CONSUMER_GROUP', {
    default: 'inventory',
    pattern: /^[A-Za-z0-9._-]{1,128}$/,
    description: 'Kafka consumer group of every handler (one per deployment; tests give each instance its own)',
  }),
};
