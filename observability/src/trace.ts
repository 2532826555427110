/**
 * `pnpm pipeline trace`: one trace from Zipkin's v2 API as an indented tree, each span with its
 * service, its start relative to the trace's first span and its duration, so a person sees where
 * a sample's time went without opening the UI.
 */

/** One span as Zipkin's v2 API returns it (`GET /api/v2/trace/{traceId}`). */
export interface TraceSpan {
  traceId: string;
  id: string;
  parentId?: string;
  name: string;
  kind?: string;
  /** Epoch microseconds. */
  timestamp: number;
  /** Microseconds. */
  duration?: number;
  localEndpoint?: { serviceName?: string };
  tags?: Record<string, string>;
}

async function zipkinGet<T>(url: string): Promise<T | undefined> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`zipkin GET ${new URL(url).pathname}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** The spans of one trace (empty until some arrived). */
export async function fetchTrace(zipkinUrl: string, traceId: string): Promise<TraceSpan[]> {
  return (await zipkinGet<TraceSpan[]>(`${zipkinUrl}/api/v2/trace/${traceId}`)) ?? [];
}

/**
 * The newest traces that contain a span `spanName` of `serviceName` (default: the live server's
 * fan-out, i.e. traces that reached a browser), newest first.
 */
export async function recentTraces(
  zipkinUrl: string,
  { serviceName = 'stream-live', spanName = 'live fanout', limit = 10, lookbackMs = 15 * 60_000 } = {},
): Promise<TraceSpan[][]> {
  const q = new URLSearchParams({
    serviceName,
    spanName,
    limit: String(limit),
    lookback: String(lookbackMs),
    endTs: String(Date.now()),
  });
  const traces = (await zipkinGet<TraceSpan[][]>(`${zipkinUrl}/api/v2/traces?${q}`)) ?? [];
  const start = (t: TraceSpan[]) => Math.min(...t.map((s) => s.timestamp));
  return traces.sort((a, b) => start(b) - start(a));
}

/** The spans as a tree: each line `name  service  +start ms  duration ms`, children indented under their parent. */
export function renderTrace(spans: TraceSpan[]): string {
  if (spans.length === 0) return 'no spans\n';
  const ids = new Set(spans.map((s) => s.id));
  const children = new Map<string | undefined, TraceSpan[]>();
  for (const s of spans) {
    // A parent that never arrived (not sampled there, or still in flight) makes its child a root.
    const parent = s.parentId !== undefined && ids.has(s.parentId) ? s.parentId : undefined;
    children.set(parent, [...(children.get(parent) ?? []), s]);
  }
  for (const list of children.values()) list.sort((a, b) => a.timestamp - b.timestamp);
  const t0 = Math.min(...spans.map((s) => s.timestamp));
  const ms = (us: number) => (us / 1000).toFixed(us < 10_000 ? 2 : 1);
  const lines = [`trace ${spans[0]?.traceId}: ${spans.length} spans`];
  const walk = (parent: string | undefined, depth: number) => {
    for (const s of children.get(parent) ?? []) {
      const label = `${'  '.repeat(depth)}${s.name}`;
      lines.push(
        `${label.padEnd(44)} ${(s.localEndpoint?.serviceName ?? '?').padEnd(14)} +${ms(s.timestamp - t0).padStart(8)} ms  ${(s.duration === undefined ? '?' : ms(s.duration)).padStart(8)} ms`,
      );
      walk(s.id, depth + 1);
    }
  };
  walk(undefined, 0);
  return `${lines.join('\n')}\n`;
}
