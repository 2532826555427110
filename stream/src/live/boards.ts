import { type GroupUpdated, liveChannel, type StatsUpdated } from '@wattstream/contracts';
import type { Logger } from '@wattstream/platform';
import { frames } from './frames.js';
import { computeLeaderboard } from './leaderboard.js';

export interface BoardSink {
  publish(name: string, seq: number, t: number, raw: string, frame: Buffer): void;
  flush(): void;
}

/**
 * Group leaderboards: a group is recomputed when a member's stats (or the group itself) changed,
 * at most once per tick (LIVE_LEADERBOARD_INTERVAL), and published on `group:<id>` with its own
 * increasing seq.
 */
export class Leaderboards {
  private readonly groupsOf = new Map<string, Set<string>>();
  private readonly dirty = new Set<string>();
  private readonly seq = new Map<string, number>();

  constructor(
    private readonly groups: {
      readonly groups: ReadonlyMap<string, GroupUpdated>;
      get(id: string): GroupUpdated | undefined;
    },
    private readonly latest: (athleteId: string) => StatsUpdated | undefined,
    private readonly weightKg: (athleteId: string) => number,
    private readonly sink: BoardSink,
    private readonly logger: Logger,
  ) {
    this.reindex();
  }

  /** The groups changed (created, edited, deleted): rebuild the member index; `id` is recomputed. */
  groupChanged(id: string): void {
    this.reindex();
    this.dirty.add(id);
  }

  /** New stats of an athlete: their groups are recomputed at the next tick. */
  statsChanged(athleteId: string): void {
    const gs = this.groupsOf.get(athleteId);
    if (gs) for (const g of gs) this.dirty.add(g);
  }

  /** Recomputes and publishes the dirty groups; returns how many. */
  tick(now: number): number {
    let n = 0;
    for (const id of this.dirty) {
      this.dirty.delete(id);
      const g = this.groups.get(id);
      if (g === undefined) continue;
      let raw: string;
      try {
        raw = JSON.stringify(computeLeaderboard(g, this.latest, this.weightKg, now));
      } catch (err) {
        this.logger.warn({ err, groupId: id }, 'leaderboard not computed');
        continue;
      }
      const seq = (this.seq.get(id) ?? 0) + 1;
      this.seq.set(id, seq);
      const name = liveChannel.group(id);
      this.sink.publish(name, seq, now, raw, frames.leaderboard(name, seq, raw));
      n++;
    }
    this.sink.flush();
    return n;
  }

  private reindex(): void {
    this.groupsOf.clear();
    for (const g of this.groups.groups.values()) {
      for (const m of g.members) {
        let s = this.groupsOf.get(m);
        if (s === undefined) {
          s = new Set();
          this.groupsOf.set(m, s);
        }
        s.add(g.groupId);
      }
    }
  }
}
