import { DEFAULT_SERVICE_PORTS, port } from '@wattstream/platform';

export const legacyPort = port('LEGACY_PORT', {
  default: DEFAULT_SERVICE_PORTS.legacy,
  allowZero: true,
  description: 'HTTP: the old /training/v1/... endpoints, /metrics, /healthz, /readyz',
});
