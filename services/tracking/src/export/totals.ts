import type { Second } from '../store/history.js';

/** Totals of an export's seconds, for the lap and session messages. */
export function totalsOf(rows: readonly Second[]) {
  const first = rows[0]!;
  const last = rows.at(-1)!;
  const vals = (k: 'power' | 'hr' | 'cadence' | 'speed') =>
    rows.map((r) => r[k]).filter((v): v is number => v !== null);
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
  const max = (xs: number[]) => (xs.length ? Math.max(...xs) : null);
  const dist = rows.map((r) => r.distance).filter((v): v is number => v !== null);
  const power = vals('power');
  const hr = vals('hr');
  return {
    start: first.ts,
    end: last.ts,
    elapsedS: (last.ts - first.ts) / 1000,
    distanceM: dist.length ? Math.max(...dist) - Math.min(...dist) : 0,
    workJ: power.reduce((a, b) => a + b, 0),
    avgPower: mean(power),
    maxPower: max(power),
    avgHr: mean(hr),
    maxHr: max(hr),
    avgCadence: mean(vals('cadence')),
    maxSpeed: max(vals('speed')),
    hasPositions: rows.some((r) => r.lat !== null && r.lon !== null),
  };
}
