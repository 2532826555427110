import type { GroupUpdated, Leaderboard, LeaderboardEntry, StatsUpdated } from '@wattstream/contracts';

const r2 = (x: number) => Math.round(x * 100) / 100;

/**
 * A group's leaderboard from its members' latest stats. rankBy `distance`: session distance;
 * `power`: session mean power; `wkg`: session mean power per kg (profile weight, or the default).
 * Higher is better; members without a value rank last, members without stats are left out.
 */
export function computeLeaderboard(
  group: GroupUpdated,
  latest: (athleteId: string) => StatsUpdated | undefined,
  weightKg: (athleteId: string) => number,
  now: number,
): Leaderboard {
  const rows: Omit<LeaderboardEntry, 'rank'>[] = [];
  for (const id of group.members) {
    const s = latest(id);
    if (s === undefined) continue;
    const m = s.metrics;
    const wkg = m.avgPower === null ? null : r2(m.avgPower / weightKg(id));
    const value = group.rankBy === 'distance' ? m.distance : group.rankBy === 'power' ? m.avgPower : wkg;
    rows.push({
      athleteId: id,
      value,
      distance: m.distance,
      avgPower: m.avgPower,
      wkg,
      power3s: m.power3s,
      hr: m.hr,
      speed: m.speed,
      elapsedS: m.elapsedS,
      ts: s.ts,
    });
  }
  rows.sort((a, b) => (b.value ?? -Infinity) - (a.value ?? -Infinity) || a.athleteId.localeCompare(b.athleteId));
  return {
    groupId: group.groupId,
    name: group.name,
    rankBy: group.rankBy,
    ts: now,
    entries: rows.map((r, i) => ({ rank: i + 1, ...r })),
  };
}
