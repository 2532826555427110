import { DashboardBuilder, DatasourceVariableBuilder, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';

/**
 * Grafana dashboards as code (@grafana/grafana-foundation-sdk): the plan's five (Training,
 * Tracking, Social, Integrations, Gateway) plus Ingest and Stream. Every service dashboard starts
 * with the kernel's RED rows selected by the `service` label, so a service that lands later gets
 * its dashboard from one line in DASHBOARDS.
 */

// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's own variable syntax, resolved by Grafana
const DS = { type: 'prometheus', uid: '${datasource}' };

/** One panel: a title, its queries (PromQL with Grafana's `$__rate_interval`), unit and kind. */
export interface PanelSpec {
  title: string;
  queries: { expr: string; legend?: string }[];
  unit?: string;
  kind?: 'timeseries' | 'stat';
}

export interface DashboardSpec {
  uid: string;
  title: string;
  /** `service` label values the RED rows select (regex alternatives). */
  services: string[];
  /** HTTP RED and consumer rows (off for services without HTTP routes or consumers). */
  http?: boolean;
  consumers?: boolean;
  outbox?: boolean;
  extra?: { row: string; panels: PanelSpec[] }[];
}

const sel = (services: string[]) => `service=~"${services.join('|')}"`;

function httpPanels(s: string): PanelSpec[] {
  return [
    {
      title: 'Requests/s by route',
      unit: 'reqps',
      queries: [
        {
          expr: `sum by (route, method) (rate(wattstream_http_requests_total{${s}}[$__rate_interval]))`,
          legend: '{{method}} {{route}}',
        },
      ],
    },
    {
      title: '5xx ratio',
      unit: 'percentunit',
      queries: [
        {
          expr: `(sum(rate(wattstream_http_requests_total{${s},status=~"5.."}[$__rate_interval])) or vector(0)) / clamp_min(sum(rate(wattstream_http_requests_total{${s}}[$__rate_interval])), 1e-9)`,
          legend: '5xx',
        },
      ],
    },
    {
      title: 'p99 latency by route',
      unit: 's',
      queries: [
        {
          expr: `histogram_quantile(0.99, sum by (route, le) (rate(wattstream_http_request_duration_seconds_bucket{${s}}[$__rate_interval])))`,
          legend: '{{route}}',
        },
      ],
    },
  ];
}

function consumerPanels(s: string): PanelSpec[] {
  return [
    {
      title: 'Consumed events/s by outcome',
      unit: 'ops',
      queries: [
        {
          expr: `sum by (topic, outcome) (rate(wattstream_consumer_events_total{${s}}[$__rate_interval]))`,
          legend: '{{topic}} {{outcome}}',
        },
      ],
    },
    {
      title: 'Handler p99 by topic',
      unit: 's',
      queries: [
        {
          expr: `histogram_quantile(0.99, sum by (topic, le) (rate(wattstream_consumer_handle_seconds_bucket{${s}}[$__rate_interval])))`,
          legend: '{{topic}}',
        },
      ],
    },
    {
      title: 'Consumer lag (records) by group/partition',
      unit: 'short',
      queries: [
        {
          expr: `max by (group, topic, partition) (wattstream_consumer_lag{${s}})`,
          legend: '{{group}} {{topic}}/{{partition}}',
        },
      ],
    },
    {
      title: 'Dead-lettered (1 h)',
      kind: 'stat',
      queries: [{ expr: `sum(increase(wattstream_dlq_published_total{${s}}[1h])) or vector(0)` }],
    },
  ];
}

function outboxPanels(s: string): PanelSpec[] {
  return [
    {
      title: 'Outbox backlog',
      unit: 'short',
      queries: [{ expr: `sum(wattstream_outbox_backlog{${s}})`, legend: 'unsent events' }],
    },
    {
      title: 'Oldest unsent event',
      unit: 's',
      queries: [{ expr: `max(wattstream_outbox_oldest_unsent_seconds{${s}})`, legend: 'age' }],
    },
  ];
}

const ingestPanels: PanelSpec[] = [
  {
    title: 'Samples/s accepted',
    unit: 'ops',
    queries: [{ expr: 'sum(rate(wattstream_ingest_samples_total[$__rate_interval]))', legend: 'samples/s' }],
  },
  {
    title: 'Publishes/s by outcome',
    unit: 'ops',
    queries: [
      {
        expr: 'sum by (kind, outcome) (rate(wattstream_ingest_publishes_total[$__rate_interval]))',
        legend: '{{kind}} {{outcome}}',
      },
    ],
  },
  {
    title: 'Kafka produce p99 and errors/s',
    unit: 's',
    queries: [
      {
        expr: 'histogram_quantile(0.99, sum by (le) (rate(wattstream_ingest_kafka_produce_seconds_bucket[$__rate_interval])))',
        legend: 'produce p99',
      },
      {
        expr: 'sum(rate(wattstream_ingest_kafka_produce_errors_total[$__rate_interval])) or vector(0)',
        legend: 'errors/s',
      },
    ],
  },
  {
    title: 'SLO: acknowledged batches reach Kafka (error ratio, 1h)',
    unit: 'percentunit',
    queries: [{ expr: 'slo:ingest_kafka:error_ratio_rate1h', legend: 'error ratio' }],
  },
  {
    title: 'Backpressure and connections',
    unit: 'short',
    queries: [
      { expr: 'max(wattstream_ingest_backpressure)', legend: 'backpressure' },
      { expr: 'sum(wattstream_ingest_connections)', legend: 'connections' },
    ],
  },
];

const sinkPanels: PanelSpec[] = [
  {
    title: 'Sink lag (records) by partition',
    unit: 'short',
    queries: [{ expr: 'max by (partition) (wattstream_sink_lag_records)', legend: 'p{{partition}}' }],
  },
  {
    title: 'Sink catch-up time (SLO <= 10 s)',
    unit: 's',
    queries: [{ expr: 'wattstream:sink_lag_seconds', legend: 'seconds' }],
  },
  {
    title: 'Rows/s written to QuestDB',
    unit: 'ops',
    queries: [{ expr: 'sum(rate(wattstream_sink_rows_total[$__rate_interval]))', legend: 'rows/s' }],
  },
  {
    title: 'QuestDB up (sink view)',
    kind: 'stat',
    queries: [{ expr: 'min(wattstream_sink_questdb_up)' }],
  },
];

const streamPanels: PanelSpec[] = [
  { title: 'Active athletes', kind: 'stat', queries: [{ expr: 'wattstream:active_athletes' }] },
  { title: 'Live viewers', kind: 'stat', queries: [{ expr: 'wattstream:live_viewers' }] },
  { title: 'Sessions started (1 h)', kind: 'stat', queries: [{ expr: 'wattstream:sessions_started:increase1h' }] },
  {
    title: 'Live frame delay p99 (SLO <= 1 s)',
    unit: 's',
    queries: [
      {
        expr: 'histogram_quantile(0.99, sum by (le) (rate(wattstream_live_frame_delay_seconds_bucket[$__rate_interval])))',
        legend: 'p99',
      },
    ],
  },
  {
    title: 'Stream lag and batch p99',
    unit: 'short',
    queries: [
      { expr: 'sum(wattstream_stream_lag)', legend: 'records behind' },
      {
        expr: 'histogram_quantile(0.99, sum by (le) (rate(wattstream_stream_batch_seconds_bucket[$__rate_interval])))',
        legend: 'batch p99 (s)',
      },
    ],
  },
];

const gatewayPanels: PanelSpec[] = [
  {
    title: 'Gateway requests/s by route and status',
    unit: 'reqps',
    queries: [
      {
        expr: 'sum by (route, status) (rate(wattstream_gateway_requests_total[$__rate_interval]))',
        legend: '{{route}} {{status}}',
      },
    ],
  },
  {
    title: 'SLO: 5xx ratio (budget 0.1 %)',
    unit: 'percentunit',
    queries: [
      { expr: 'slo:gateway_availability:error_ratio_rate5m', legend: '5m' },
      { expr: 'slo:gateway_availability:error_ratio_rate1h', legend: '1h' },
    ],
  },
  {
    title: 'Gateway p99 by route',
    unit: 's',
    queries: [
      {
        expr: 'histogram_quantile(0.99, sum by (route, le) (rate(wattstream_gateway_request_duration_seconds_bucket[$__rate_interval])))',
        legend: '{{route}}',
      },
    ],
  },
  {
    title: 'Rate limited/s',
    unit: 'reqps',
    queries: [
      { expr: 'sum(rate(wattstream_gateway_rate_limited_total[$__rate_interval])) or vector(0)', legend: 'limited' },
    ],
  },
];

const alertPanel: PanelSpec = {
  title: 'Firing alerts',
  kind: 'stat',
  queries: [{ expr: 'count(ALERTS{alertstate="firing"}) or vector(0)' }],
};

export const DASHBOARDS: DashboardSpec[] = [
  { uid: 'wattstream-training', title: 'Training', services: ['training'], http: true, consumers: true, outbox: true },
  { uid: 'wattstream-tracking', title: 'Tracking', services: ['tracking'], http: true, consumers: true, outbox: true },
  { uid: 'wattstream-social', title: 'Social', services: ['social'], http: true, consumers: true, outbox: true },
  {
    uid: 'wattstream-integrations',
    title: 'Integrations',
    services: ['integrations'],
    http: true,
    consumers: true,
    outbox: true,
  },
  {
    uid: 'wattstream-gateway',
    title: 'Gateway',
    services: ['gateway'],
    http: true,
    extra: [{ row: 'Gateway', panels: gatewayPanels }],
  },
  {
    uid: 'wattstream-ingest',
    title: 'Ingest',
    services: ['ingest', 'sink'],
    http: true,
    extra: [
      { row: 'MQTT to Kafka', panels: ingestPanels },
      { row: 'QuestDB sink', panels: sinkPanels },
    ],
  },
  {
    uid: 'wattstream-stream',
    title: 'Stream',
    services: ['stream-worker', 'live'],
    http: true,
    extra: [{ row: 'Stream worker and live', panels: streamPanels }],
  },
];

/** Every panel of a dashboard spec, row by row. */
export function dashboardRows(spec: DashboardSpec): { row: string; panels: PanelSpec[] }[] {
  const s = sel(spec.services);
  const rows: { row: string; panels: PanelSpec[] }[] = [{ row: 'Overview', panels: [alertPanel] }];
  if (spec.http) rows.push({ row: 'HTTP (RED)', panels: httpPanels(s) });
  if (spec.consumers) rows.push({ row: 'Consumers', panels: consumerPanels(s) });
  if (spec.outbox) rows.push({ row: 'Outbox', panels: outboxPanels(s) });
  rows.push(...(spec.extra ?? []));
  return rows;
}

/** The Grafana dashboard JSON model of one spec. */
export function buildDashboard(spec: DashboardSpec): unknown {
  const b = new DashboardBuilder(`wattstream / ${spec.title}`)
    .uid(spec.uid)
    .tags(['wattstream', 'generated'])
    .refresh('30s')
    .time({ from: 'now-1h', to: 'now' })
    .timezone('browser')
    .withVariable(new DatasourceVariableBuilder('datasource').label('Prometheus').type('prometheus'));
  for (const { row, panels } of dashboardRows(spec)) {
    b.withRow(new RowBuilder(row));
    for (const p of panels) {
      const panel = p.kind === 'stat' ? new StatPanel() : new TimeseriesPanel();
      panel
        .title(p.title)
        .datasource(DS)
        .height(8)
        .span(p.kind === 'stat' ? 6 : 12);
      if (p.unit) panel.unit(p.unit);
      p.queries.forEach((q, i) => {
        const t = new DataqueryBuilder().expr(q.expr).refId(String.fromCharCode(65 + i));
        panel.withTarget(q.legend ? t.legendFormat(q.legend) : t);
      });
      b.withPanel(panel);
    }
  }
  return b.build();
}

/** Every query of every dashboard, for validation: `[dashboard uid, panel title, PromQL]`. */
export function allQueries(): [string, string, string][] {
  return DASHBOARDS.flatMap((d) =>
    dashboardRows(d).flatMap(({ panels }) =>
      panels.flatMap((p) => p.queries.map((q) => [d.uid, p.title, q.expr] as [string, string, string])),
    ),
  );
}
