import { Counter, Histogram, type Registry } from '@wattstream/platform';

/** Per route of the table (the kernel's own HTTP metrics see only the catch-all). */
export function gatewayMetrics(registry: Registry) {
  return {
    requests: new Counter({
      name: 'wattstream_gateway_requests_total',
      help: 'requests answered, by table route, upstream mode (new, legacy, shadow) and status',
      labelNames: ['route', 'upstream', 'status'] as const,
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'wattstream_gateway_request_duration_seconds',
      help: 'time from request to response through the gateway, by table route and status class',
      labelNames: ['route', 'status_class'] as const,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  };
}
