import { Counter, Gauge, Histogram, LATENCY_BUCKETS, type Registry } from '@wattstream/platform';
import type { Processor } from '../processor.js';
import type { Part } from './part.js';

export function workerMetrics(registry: Registry) {
  const r = { registers: [registry] };
  return {
    records: new Counter({ name: 'wattstream_stream_records_total', help: 'input records processed', ...r }),
    badRecords: new Counter({ name: 'wattstream_stream_bad_records_total', help: 'input records skipped', ...r }),
    samples: new Gauge({ name: 'wattstream_stream_samples_applied', help: 'samples applied since start', ...r }),
    late: new Gauge({ name: 'wattstream_stream_samples_late', help: 'samples later than the allowed lateness', ...r }),
    future: new Gauge({
      name: 'wattstream_stream_samples_future',
      help: 'samples ahead of their arrival by more than STREAM_MAX_FUTURE_SKEW, ignored',
      ...r,
    }),
    duplicates: new Gauge({ name: 'wattstream_stream_samples_duplicate', help: 'redelivered samples ignored', ...r }),
    commits: new Counter({ name: 'wattstream_stream_commits_total', help: 'Kafka transactions committed', ...r }),
    commitFailures: new Counter({
      name: 'wattstream_stream_commit_failures_total',
      help: 'transactions aborted',
      ...r,
    }),
    commitSeconds: new Histogram({
      name: 'wattstream_stream_commit_seconds',
      help: 'time to commit a transaction',
      buckets: LATENCY_BUCKETS,
      ...r,
    }),
    batchSeconds: new Histogram({
      name: 'wattstream_stream_batch_seconds',
      help: 'time to apply one fetched batch',
      buckets: LATENCY_BUCKETS,
      ...r,
    }),
    snapshots: new Counter({ name: 'wattstream_stream_snapshots_total', help: 'state snapshots written', ...r }),
    restores: new Counter({ name: 'wattstream_stream_restores_total', help: 'partitions restored', ...r }),
    restoreSeconds: new Histogram({
      name: 'wattstream_stream_restore_seconds',
      help: 'time to restore a partition',
      buckets: LATENCY_BUCKETS,
      ...r,
    }),
    statsEmitted: new Counter({ name: 'wattstream_stream_stats_total', help: 'stats records sent', ...r }),
    sessionsStarted: new Counter({ name: 'wattstream_stream_sessions_started_total', help: 'sessions started', ...r }),
    sessionsCompleted: new Counter({
      name: 'wattstream_stream_sessions_completed_total',
      help: 'sessions completed',
      ...r,
    }),
    athletes: new Gauge({ name: 'wattstream_stream_athletes', help: 'athletes in owned partitions', ...r }),
    openSessions: new Gauge({ name: 'wattstream_stream_open_sessions', help: 'open sessions', ...r }),
    lag: new Gauge({
      name: 'wattstream_stream_lag',
      help: 'input records behind the end of each owned partition after the last fetch',
      labelNames: ['partition'] as const,
      ...r,
    }),
  };
}
export type WorkerMetrics = ReturnType<typeof workerMetrics>;

/** Sets the gauges that describe the state held now (athletes, open sessions, sample counters). */
export function collectState(m: WorkerMetrics, parts: Iterable<Part>, processor: Pick<Processor, 'counters'>): void {
  let athletes = 0;
  let sessions = 0;
  for (const part of parts) {
    athletes += part.state.athletes.size;
    for (const a of part.state.athletes.values()) if (a.session) sessions++;
  }
  m.athletes.set(athletes);
  m.openSessions.set(sessions);
  const c = processor.counters;
  m.samples.set(c.samples);
  m.late.set(c.late);
  m.future.set(c.future);
  m.duplicates.set(c.duplicateSamples);
}
