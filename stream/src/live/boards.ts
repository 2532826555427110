import { type GroupUpdated, type Leaderboard, liveChannel, type StatsUpdated } from '@wattstream/contracts';
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
 * increasing seq. Each per-viewer view of a group (`views`: view channel → members it shows) gets
 * the same board without the members it hides, ranks renumbered, serialised once per view.
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
    private readonly views: (groupId: string) => ReadonlyMap<string, ReadonlySet<string>> | undefined = () => undefined,
  ) {
    this.reindex();
  }

  /** The groups changed (created, edited, deleted): rebuild the member index; `id` is recomputed. */
  groupChanged(id: string): void {
    this.reindex();
    this.dirty.add(id);
  }

  /** A group's board should be published again at the next tick (e.g. for a new view). */
  refresh(id: string): void {
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
      let board: Leaderboard;
      try {
        board = computeLeaderboard(g, this.latest, this.weightKg, now);
      } catch (err) {
        this.logger.warn({ err, groupId: id }, 'leaderboard not computed');
        continue;
      }
      const raw = JSON.stringify(board);
      const seq = (this.seq.get(id) ?? 0) + 1;
      this.seq.set(id, seq);
      const name = liveChannel.group(id);
      this.sink.publish(name, seq, now, raw, frames.leaderboard(name, seq, raw));
      for (const [view, visible] of this.views(id) ?? []) {
        const entries = board.entries.filter((e) => visible.has(e.athleteId)).map((e, i) => ({ ...e, rank: i + 1 }));
        const viewRaw = JSON.stringify({ ...board, entries });
        this.sink.publish(view, seq, now, viewRaw, frames.leaderboard(name, seq, viewRaw));
      }
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
