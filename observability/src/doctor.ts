/**
 * `pnpm doctor`: one table a person on call reads in ten seconds. For every running service it
 * asks `/readyz` (health) and `/metrics` (lag, backlog, errors) directly, so it works without
 * Prometheus; with a Prometheus URL it adds the firing alerts.
 */

export interface DoctorTarget {
  name: string;
  /** `host:port` serving `/readyz` and `/metrics`. */
  address: string;
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface DoctorRow {
  name: string;
  health: string;
  /** Records behind, summed over consumer groups, the sink and the stream worker. */
  lag: number | undefined;
  /** Unsent outbox events and the oldest one's age (s). */
  backlog: number | undefined;
  oldestSeconds: number | undefined;
  /** 5xx / all HTTP responses since the process started. */
  errorRatio: number | undefined;
  requests: number | undefined;
  deadLetters: number | undefined;
}

/** Parses the Prometheus text exposition format (what prom-client serves). */
export function parseMetrics(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    out.push({ name: m[1]!, labels, value: Number(m[4]) });
  }
  return out;
}

const sum = (samples: Sample[], name: string, where: (l: Record<string, string>) => boolean = () => true) => {
  const hits = samples.filter((s) => s.name === name && where(s.labels));
  return hits.length === 0 ? undefined : hits.reduce((a, s) => a + s.value, 0);
};
const addDefined = (...xs: (number | undefined)[]) =>
  xs.every((x) => x === undefined) ? undefined : xs.reduce<number>((a, x) => a + (x ?? 0), 0);

/** The row of one service from its `/readyz` answer and `/metrics` text. */
export function doctorRow(name: string, health: string, metrics: Sample[]): DoctorRow {
  const requests = sum(metrics, 'wattstream_http_requests_total');
  const errors = sum(metrics, 'wattstream_http_requests_total', (l) => l.status?.startsWith('5') ?? false);
  const gwRequests = sum(metrics, 'wattstream_gateway_requests_total');
  const gwErrors = sum(metrics, 'wattstream_gateway_requests_total', (l) => l.status?.startsWith('5') ?? false);
  const total = addDefined(requests, gwRequests);
  const bad = addDefined(errors, gwErrors) ?? 0;
  const oldest = metrics.filter((s) => s.name === 'wattstream_outbox_oldest_unsent_seconds').map((s) => s.value);
  return {
    name,
    health,
    lag: addDefined(
      sum(metrics, 'wattstream_consumer_lag'),
      sum(metrics, 'wattstream_sink_lag_records'),
      sum(metrics, 'wattstream_stream_lag'),
    ),
    backlog: sum(metrics, 'wattstream_outbox_backlog'),
    oldestSeconds: oldest.length ? Math.max(...oldest) : undefined,
    errorRatio: total === undefined ? undefined : total === 0 ? 0 : bad / total,
    requests: total,
    deadLetters: sum(metrics, 'wattstream_dlq_published_total'),
  };
}

async function get(url: string): Promise<{ status: number; text: string } | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
    return { status: res.status, text: await res.text() };
  } catch {
    return undefined;
  }
}

/** Asks one service; `down` when it does not answer at all. */
export async function examine(t: DoctorTarget): Promise<DoctorRow> {
  const [ready, metrics] = await Promise.all([get(`http://${t.address}/readyz`), get(`http://${t.address}/metrics`)]);
  let health = 'down';
  if (ready) {
    let status: string | undefined;
    try {
      status = (JSON.parse(ready.text) as { status?: string }).status;
    } catch {}
    health = ready.status === 200 ? (status ?? 'ok') : `not ready (${ready.status})`;
  }
  return doctorRow(t.name, health, metrics && metrics.status === 200 ? parseMetrics(metrics.text) : []);
}

/** Firing alerts from a Prometheus, or undefined when it does not answer. */
export async function firingAlerts(prometheusUrl: string): Promise<string[] | undefined> {
  const r = await get(`${prometheusUrl}/api/v1/alerts`);
  if (r?.status !== 200) return undefined;
  const body = JSON.parse(r.text) as { data: { alerts: { labels: Record<string, string>; state: string }[] } };
  return body.data.alerts
    .filter((a) => a.state === 'firing')
    .map((a) => {
      const { alertname, severity, ...rest } = a.labels;
      const what = Object.entries(rest)
        .filter(([k]) => ['job', 'service', 'slo', 'topic', 'window'].includes(k))
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
      return `${severity ?? '-'} ${alertname} ${what}`.trim();
    });
}

const num = (n: number | undefined) =>
  n === undefined ? '-' : n >= 10_000 ? `${(n / 1000).toFixed(0)}k` : `${Math.round(n)}`;
const pct = (n: number | undefined) => (n === undefined ? '-' : `${(n * 100).toFixed(n > 0 && n < 0.001 ? 3 : 2)}%`);

/** A verdict per row: what a person on call looks at first. */
export function verdict(r: DoctorRow): string {
  if (r.health === 'down') return 'DOWN';
  if (!['ok', 'ready'].includes(r.health)) return 'CHECK';
  if ((r.errorRatio ?? 0) > 0.001 || (r.oldestSeconds ?? 0) > 60 || (r.lag ?? 0) > 1000) return 'WARN';
  return 'OK';
}

/** The table: one line per service, worst first, then the firing alerts. */
export function renderDoctor(rows: DoctorRow[], alerts?: string[]): string {
  const rank = { DOWN: 0, CHECK: 1, WARN: 2, OK: 3 } as Record<string, number>;
  const sorted = [...rows].sort(
    (a, b) => (rank[verdict(a)] ?? 9) - (rank[verdict(b)] ?? 9) || a.name.localeCompare(b.name),
  );
  const head = ['', 'service', 'health', 'lag', 'outbox', 'oldest', '5xx', 'requests', 'dlq'];
  const body = sorted.map((r) => [
    verdict(r),
    r.name,
    r.health,
    num(r.lag),
    num(r.backlog),
    r.oldestSeconds === undefined ? '-' : `${Math.round(r.oldestSeconds)}s`,
    pct(r.errorRatio),
    num(r.requests),
    num(r.deadLetters),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const out = [line(head), ...body.map(line)];
  if (alerts !== undefined) {
    out.push('', alerts.length === 0 ? 'Prometheus: no alert firing' : `Prometheus: ${alerts.length} firing`);
    for (const a of alerts) out.push(`  ${a}`);
  }
  return `${out.join('\n')}\n`;
}
