/**
 * Prometheus recording and alert rules for wattstream, generated from the SLO table below so the
 * multi-window, multi-burn-rate alerts (Google SRE workbook, ch. 5) stay consistent with their
 * targets. Everything is keyed by the kernel's labels: `service` (every series, set by
 * @wattstream/platform's registry) and the scrape `job` (the service name in the launcher's and
 * the cluster's scrape configs), so a new service is covered by the generic rules without an edit.
 */

export interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface RuleGroup {
  name: string;
  interval?: string;
  rules: Rule[];
}

export interface RuleFile {
  groups: RuleGroup[];
}

/** One SLO: the ratio of bad events over a window, as a PromQL template of `$w` (the window). */
export interface Slo {
  /** Rule-name stem, e.g. `ingest_kafka`. */
  name: string;
  /** What the SLO promises, for humans (annotations, the README's table). */
  objective: string;
  /** Target ratio of good events, e.g. 0.999. */
  target: number;
  /** The error ratio over `$w`. */
  errorRatio: string;
  /** Alert name prefix, e.g. `IngestKafkaDelivery`. */
  alert: string;
}

export const WINDOWS = ['5m', '30m', '1h', '2h', '6h', '1d'] as const;

export const SLOS: Slo[] = [
  {
    name: 'ingest_kafka',
    alert: 'IngestKafkaDelivery',
    objective: '99.9 % of acknowledged sample batches reach Kafka on the first produce attempt',
    target: 0.999,
    // ingest holds every acknowledgement until Kafka has the record (acks=-1), so an acknowledged
    // batch that does not reach Kafka shows up as a failed produce attempt (retried, delaying acks).
    errorRatio:
      'sum(rate(wattstream_ingest_kafka_produce_errors_total[$w])) / clamp_min(sum(rate(wattstream_ingest_kafka_produce_seconds_count[$w])) + sum(rate(wattstream_ingest_kafka_produce_errors_total[$w])), 1e-9)',
  },
  {
    name: 'live_latency',
    alert: 'LiveLatency',
    objective: '99 % of live frames go out within 1 s of their stats record reaching Kafka (p99 <= 1 s)',
    target: 0.99,
    errorRatio:
      '(sum(rate(wattstream_live_frame_delay_seconds_count[$w])) - sum(rate(wattstream_live_frame_delay_seconds_bucket{le="1"}[$w]))) / clamp_min(sum(rate(wattstream_live_frame_delay_seconds_count[$w])), 1e-9)',
  },
  {
    name: 'gateway_availability',
    alert: 'GatewayErrors',
    objective: 'at most 0.1 % of gateway responses are 5xx',
    target: 0.999,
    errorRatio:
      'sum(rate(wattstream_gateway_requests_total{status=~"5.."}[$w])) / clamp_min(sum(rate(wattstream_gateway_requests_total[$w])), 1e-9)',
  },
];

/** Durations of the alerts' `for`, shortened by tests and by `pipeline up --observe` on request. */
export interface RuleTimings {
  /** Fast-burn page (1 h / 5 min windows). */
  page: string;
  /** Slow-burn page (6 h / 30 min). */
  pageSlow: string;
  /** Ticket (1 d / 2 h). */
  ticket: string;
  /** Sink lag above its threshold, or the sink gone. */
  sinkLag: string;
  /** A scrape target down. */
  targetDown: string;
  /** Error growth, performance drops, backlogs. */
  trend: string;
}

export const DEFAULT_TIMINGS: RuleTimings = {
  page: '2m',
  pageSlow: '15m',
  ticket: '1h',
  sinkLag: '2m',
  targetDown: '2m',
  trend: '10m',
};

export interface RuleOptions {
  timings?: Partial<RuleTimings>;
  /** Sink lag SLO, seconds (default 10). */
  sinkLagSeconds?: number;
  /** Scrape job of the sink (default `sink`, as the launcher and the manifests name it). */
  sinkJob?: string;
}

/** The SRE workbook's burn-rate pairs: [long window, short window, burn-rate factor, severity, timing]. */
const BURNS: [string, string, number, 'page' | 'ticket', keyof RuleTimings][] = [
  ['1h', '5m', 14.4, 'page', 'page'],
  ['6h', '30m', 6, 'page', 'pageSlow'],
  ['1d', '2h', 3, 'ticket', 'ticket'],
];

const fmt = (n: number) => String(Number(n.toPrecision(6)));

function sloGroups(t: RuleTimings): RuleGroup[] {
  const recording: Rule[] = [];
  const alerts: Rule[] = [];
  for (const slo of SLOS) {
    for (const w of WINDOWS) {
      recording.push({
        record: `slo:${slo.name}:error_ratio_rate${w}`,
        expr: slo.errorRatio.replaceAll('$w', w),
        labels: { slo: slo.name },
      });
    }
    const budget = 1 - slo.target;
    for (const [long, short, factor, severity, timing] of BURNS) {
      const threshold = fmt(factor * budget);
      alerts.push({
        alert: `${slo.alert}BudgetBurn`,
        expr: `slo:${slo.name}:error_ratio_rate${long} > ${threshold} and slo:${slo.name}:error_ratio_rate${short} > ${threshold}`,
        for: t[timing],
        labels: { severity, slo: slo.name, window: `${long}/${short}` },
        annotations: {
          summary: `${slo.objective}: error budget burning ${factor}x over ${long} and ${short}`,
          description: `error ratio {{ $value | humanizePercentage }} over ${short} (budget ${fmt(budget * 100)} %)`,
        },
      });
    }
  }
  return [
    { name: 'wattstream-slo-recording', rules: recording },
    { name: 'wattstream-slo-alerts', rules: alerts },
  ];
}

/** RED per service/route and per consumer, lag, backlog, DLQ and the domain figures, pre-aggregated for dashboards. */
function redGroup(sinkJob: string): RuleGroup {
  return {
    name: 'wattstream-red',
    rules: [
      {
        record: 'service_route:http_requests:rate5m',
        expr: 'sum by (service, method, route, status) (rate(wattstream_http_requests_total[5m]))',
      },
      {
        record: 'service:http_errors:ratio_rate5m',
        expr: 'sum by (service) (rate(wattstream_http_requests_total{status=~"5.."}[5m])) / clamp_min(sum by (service) (rate(wattstream_http_requests_total[5m])), 1e-9)',
      },
      {
        record: 'service_route:http_latency_seconds:p99_5m',
        expr: 'histogram_quantile(0.99, sum by (service, route, le) (rate(wattstream_http_request_duration_seconds_bucket[5m])))',
      },
      {
        record: 'service_topic_group:consumer_events:rate5m',
        expr: 'sum by (service, topic, group, outcome) (rate(wattstream_consumer_events_total[5m]))',
      },
      {
        record: 'service_topic_group:consumer_handle_seconds:p99_5m',
        expr: 'histogram_quantile(0.99, sum by (service, topic, group, le) (rate(wattstream_consumer_handle_seconds_bucket[5m])))',
      },
      {
        record: 'service_topic_group:consumer_lag:sum',
        expr: 'sum by (service, topic, group) (wattstream_consumer_lag)',
      },
      {
        record: 'service:outbox_backlog:sum',
        expr: 'sum by (service) (wattstream_outbox_backlog)',
      },
      {
        record: 'service:outbox_oldest_unsent_seconds:max',
        expr: 'max by (service) (wattstream_outbox_oldest_unsent_seconds)',
      },
      {
        record: 'service_topic:dlq_published:increase1h',
        expr: 'sum by (service, topic) (increase(wattstream_dlq_published_total[1h]))',
      },
      {
        // records behind / records per second written: the seconds the sink would need to catch up
        record: 'wattstream:sink_lag_seconds',
        expr: `sum(wattstream_sink_lag_records{job="${sinkJob}"}) / clamp_min(sum(rate(wattstream_sink_records_total{job="${sinkJob}"}[1m])), 1)`,
      },
      { record: 'wattstream:active_athletes', expr: 'sum(wattstream_stream_open_sessions)' },
      { record: 'wattstream:live_viewers', expr: 'sum(wattstream_live_connections)' },
      {
        record: 'wattstream:sessions_started:increase1h',
        expr: 'sum(increase(wattstream_stream_sessions_started_total[1h]))',
      },
    ],
  };
}

function operationalAlerts(t: RuleTimings, sinkLagSeconds: number, sinkJob: string): RuleGroup {
  return {
    name: 'wattstream-alerts',
    rules: [
      {
        alert: 'TargetDown',
        expr: 'up == 0',
        for: t.targetDown,
        labels: { severity: 'page' },
        annotations: {
          summary: '{{ $labels.job }} at {{ $labels.instance }} does not answer /metrics',
          description: 'Prometheus has failed to scrape the target for the whole `for` window',
        },
      },
      {
        alert: 'SinkLag',
        // Above the SLO, or the sink not running at all (its lag then keeps growing unseen).
        expr: `wattstream:sink_lag_seconds > ${sinkLagSeconds} or on() (max(up{job="${sinkJob}"}) == 0) or on() absent(up{job="${sinkJob}"})`,
        for: t.sinkLag,
        labels: { severity: 'page', slo: 'sink_lag' },
        annotations: {
          summary: `sink lag above ${sinkLagSeconds} s (or the sink is down): QuestDB is behind Kafka`,
          description:
            'estimated catch-up time {{ $value | humanize }} s (a value of 0 or 1 means the sink has no live target)',
        },
      },
      {
        alert: 'HttpErrorGrowth',
        expr: 'sum by (service) (rate(wattstream_http_requests_total{status=~"5.."}[10m])) > 3 * sum by (service) (rate(wattstream_http_requests_total{status=~"5.."}[10m] offset 1h)) and sum by (service) (rate(wattstream_http_requests_total{status=~"5.."}[10m])) > 0.05',
        for: t.trend,
        labels: { severity: 'ticket' },
        annotations: {
          summary: '{{ $labels.service }}: 5xx rate more than tripled against an hour ago',
          description: '{{ $value | humanize }} 5xx/s now',
        },
      },
      {
        alert: 'ConsumerFailureGrowth',
        expr: 'sum by (service, topic, group) (rate(wattstream_consumer_retries_total[10m])) > 3 * sum by (service, topic, group) (rate(wattstream_consumer_retries_total[10m] offset 1h)) and sum by (service, topic, group) (rate(wattstream_consumer_retries_total[10m])) > 0.05',
        for: t.trend,
        labels: { severity: 'ticket' },
        annotations: {
          summary: '{{ $labels.service }} {{ $labels.group }} on {{ $labels.topic }}: handler retries tripled',
        },
      },
      {
        alert: 'DeadLettersProduced',
        expr: 'sum by (service, topic) (increase(wattstream_dlq_published_total[10m])) > 0',
        labels: { severity: 'ticket' },
        annotations: {
          summary:
            '{{ $labels.service }} dead-lettered {{ $value | humanize }} records of {{ $labels.topic }} in 10 min',
        },
      },
      {
        alert: 'HttpLatencyRegression',
        expr: 'service_route:http_latency_seconds:p99_5m > 2 * (service_route:http_latency_seconds:p99_5m offset 1d) and service_route:http_latency_seconds:p99_5m > 0.1',
        for: t.trend,
        labels: { severity: 'ticket' },
        annotations: {
          summary: '{{ $labels.service }} {{ $labels.route }}: p99 doubled against yesterday',
          description: 'p99 {{ $value | humanizeDuration }}',
        },
      },
      {
        alert: 'IngestThroughputDrop',
        expr: 'sum(rate(wattstream_ingest_samples_total[10m])) < 0.5 * sum(rate(wattstream_ingest_samples_total[10m] offset 1h)) and sum(rate(wattstream_ingest_samples_total[10m] offset 1h)) > 10',
        for: t.trend,
        labels: { severity: 'ticket' },
        annotations: { summary: 'ingest accepts less than half the samples/s of an hour ago' },
      },
      {
        alert: 'ConsumerLagHigh',
        expr: 'service_topic_group:consumer_lag:sum > 1000',
        for: t.trend,
        labels: { severity: 'ticket' },
        annotations: {
          summary: '{{ $labels.service }} {{ $labels.group }} is {{ $value }} records behind on {{ $labels.topic }}',
        },
      },
      {
        alert: 'OutboxStuck',
        expr: 'service:outbox_oldest_unsent_seconds:max > 60',
        for: t.trend,
        labels: { severity: 'page' },
        annotations: {
          summary: '{{ $labels.service }}: an outbox event waits {{ $value | humanizeDuration }} for Kafka',
        },
      },
    ],
  };
}

/** The whole rule file. */
export function buildRules(opts: RuleOptions = {}): RuleFile {
  const t = { ...DEFAULT_TIMINGS, ...opts.timings };
  const sinkJob = opts.sinkJob ?? 'sink';
  return {
    groups: [...sloGroups(t), redGroup(sinkJob), operationalAlerts(t, opts.sinkLagSeconds ?? 10, sinkJob)],
  };
}
