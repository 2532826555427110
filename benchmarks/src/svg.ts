import type { Series } from './stats.js';

/**
 * Minimal SVG charts for benchmark results: lines over time and latency-by-percentile. Hand
 * written because the charting libraries either need Node 22 (vega-lite 6.5) or a native canvas;
 * these two chart kinds are all the results need.
 */
export interface LineChart {
  kind: 'line';
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
}

export interface PercentileChart {
  kind: 'percentile';
  title: string;
  yLabel: string;
  curves: { name: string; points: [number, number][] }[];
}

export type Chart = LineChart | PercentileChart;

const W = 760;
const H = 300;
const M = { top: 36, right: 170, bottom: 44, left: 76 };
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function niceMax(v: number): number {
  if (v <= 0 || !Number.isFinite(v)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

function fmt(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e6) return `${+(v / 1e6).toFixed(2)}M`;
  if (a >= 1e3) return `${+(v / 1e3).toFixed(1)}k`;
  if (a >= 10 || v === 0) return `${Math.round(v)}`;
  return `${+v.toFixed(2)}`;
}

/** x of a percentile on a "nines" axis: 0, 90, 99, 99.9 are evenly spaced. */
const nines = (p: number) => -Math.log10(Math.max(1e-5, 1 - p / 100));

function frame(
  y0: number,
  title: string,
  xLabel: string,
  yLabel: string,
  xTicks: [number, string][],
  yMax: number,
  sx: (x: number) => number,
): string {
  const sy = (v: number) => y0 + M.top + (H - M.top - M.bottom) * (1 - v / yMax);
  const parts = [
    `<text x="${M.left}" y="${y0 + 22}" font-size="15" font-weight="bold">${esc(title)}</text>`,
    `<line x1="${M.left}" y1="${sy(0)}" x2="${W - M.right}" y2="${sy(0)}" stroke="#333"/>`,
    `<line x1="${M.left}" y1="${sy(0)}" x2="${M.left}" y2="${sy(yMax)}" stroke="#333"/>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const v = (yMax * i) / 4;
    parts.push(
      `<line x1="${M.left}" y1="${sy(v)}" x2="${W - M.right}" y2="${sy(v)}" stroke="#ddd"/>`,
      `<text x="${M.left - 6}" y="${sy(v) + 4}" font-size="11" text-anchor="end">${fmt(v)}</text>`,
    );
  }
  for (const [x, label] of xTicks) {
    parts.push(`<text x="${sx(x)}" y="${sy(0) + 16}" font-size="11" text-anchor="middle">${esc(label)}</text>`);
  }
  parts.push(
    `<text x="${(M.left + W - M.right) / 2}" y="${y0 + H - 6}" font-size="12" text-anchor="middle">${esc(xLabel)}</text>`,
    `<text transform="translate(16 ${y0 + H / 2}) rotate(-90)" font-size="12" text-anchor="middle">${esc(yLabel)}</text>`,
  );
  return parts.join('\n');
}

function legend(y0: number, names: string[]): string {
  return names
    .map(
      (n, i) =>
        `<rect x="${W - M.right + 12}" y="${y0 + M.top + i * 18}" width="12" height="3" fill="${COLORS[i % COLORS.length]}"/>` +
        `<text x="${W - M.right + 30}" y="${y0 + M.top + i * 18 + 5}" font-size="11">${esc(n)}</text>`,
    )
    .join('\n');
}

function polyline(points: [number, number][], sx: (x: number) => number, sy: (y: number) => number, i: number): string {
  const d = points.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ');
  return `<polyline fill="none" stroke="${COLORS[i % COLORS.length]}" stroke-width="2" points="${d}"/>`;
}

function renderLine(c: LineChart, y0: number): string {
  const all = c.series.flatMap((s) => s.points);
  const xMax = Math.max(1, ...all.map((p) => p[0]));
  const yMax = niceMax(Math.max(0, ...all.map((p) => p[1])));
  const sx = (x: number) => M.left + ((W - M.left - M.right) * x) / xMax;
  const sy = (v: number) => y0 + M.top + (H - M.top - M.bottom) * (1 - v / yMax);
  const ticks: [number, string][] = [0, 0.25, 0.5, 0.75, 1].map((f) => [xMax * f, fmt(xMax * f)]);
  return [
    frame(y0, c.title, c.xLabel, c.yLabel, ticks, yMax, sx),
    ...c.series.map((s, i) => polyline(s.points, sx, sy, i)),
    legend(
      y0,
      c.series.map((s) => s.name),
    ),
  ].join('\n');
}

function renderPercentile(c: PercentileChart, y0: number): string {
  const xMax = nines(99.99);
  const yMax = niceMax(Math.max(0, ...c.curves.flatMap((k) => k.points.map((p) => p[1]))));
  const sx = (p: number) => M.left + ((W - M.left - M.right) * Math.min(nines(p), xMax)) / xMax;
  const sy = (v: number) => y0 + M.top + (H - M.top - M.bottom) * (1 - v / yMax);
  const ticks: [number, string][] = [
    [0, '0'],
    [90, 'p90'],
    [99, 'p99'],
    [99.9, 'p99.9'],
    [99.99, 'p99.99'],
  ];
  return [
    frame(y0, c.title, 'percentile', c.yLabel, ticks, yMax, sx),
    ...c.curves.map((k, i) =>
      polyline(
        k.points.filter((p) => p[0] <= 99.99),
        sx,
        sy,
        i,
      ),
    ),
    legend(
      y0,
      c.curves.map((k) => k.name),
    ),
  ].join('\n');
}

/** One SVG document with the charts stacked vertically. */
export function renderCharts(charts: Chart[]): string {
  const body = charts.map((c, i) => (c.kind === 'line' ? renderLine(c, i * H) : renderPercentile(c, i * H))).join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H * charts.length}" viewBox="0 0 ${W} ${H * charts.length}" font-family="sans-serif">
<rect width="100%" height="100%" fill="#fff"/>
${body}
</svg>
`;
}
