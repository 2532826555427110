import { collectDefaultMetrics, Registry } from 'prom-client';

export { Counter, Gauge, Histogram, Registry, Summary } from 'prom-client';

/** Every metric name starts with this, e.g. `wattstream_ingest_publishes_total`. */
export const METRIC_PREFIX = 'wattstream_';

/** A registry with Node's default metrics (CPU, RSS, event-loop lag, GC) labelled by service. */
export function createRegistry(service: string, { defaults = true } = {}): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  if (defaults) collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  return registry;
}

/** Buckets for latencies in seconds, from 0.5 ms to 10 s. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Sums every sample of metric `name` (all label sets) in Prometheus text format, NaN when the
 * metric is absent: how tests and benchmarks read another process's `/metrics`.
 */
export function metricFromText(text: string, name: string): number {
  let sum = 0;
  let found = false;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name} `) || line.startsWith(`${name}{`)) {
      sum += Number(line.slice(line.lastIndexOf(' ') + 1));
      found = true;
    }
  }
  return found ? sum : Number.NaN;
}
