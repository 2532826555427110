import { e2e } from './benches/e2e.js';
import { edge } from './benches/edge.js';
import { fanout } from './benches/fanout.js';
import { gateway } from './benches/gateway.js';
import { history } from './benches/history.js';
import { ingest } from './benches/ingest.js';
import { kafkaRaw } from './benches/kafka-raw.js';
import { mqtt } from './benches/mqtt.js';
import { notifications } from './benches/notifications.js';
import { outbox } from './benches/outbox.js';
import { questdbRaw } from './benches/questdb-raw.js';
import { sink } from './benches/sink.js';
import { soak } from './benches/soak.js';
import { stream } from './benches/stream.js';
import { tracing } from './benches/tracing.js';
import type { Benchmark } from './benchmark.js';

/** Every benchmark, in the order `bench all` runs them and RESULTS.md lists them. */
export const BENCHMARKS: Benchmark[] = [
  kafkaRaw,
  questdbRaw,
  mqtt,
  ingest,
  tracing,
  sink,
  stream,
  fanout,
  edge,
  e2e,
  history,
  outbox,
  notifications,
  gateway,
  soak,
];
export const BENCHMARK_NAMES = BENCHMARKS.map((b) => b.name);
