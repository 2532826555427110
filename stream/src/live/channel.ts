import type { Conn } from './hub.js';

export interface HistoryEntry {
  seq: number;
  /** event/record time used to expire the entry, epoch ms */
  t: number;
  frame: Buffer;
}

/**
 * One live channel (`athlete:<id>` or `group:<id>`): its subscribers, its latest state and a short
 * history of frames for `since` replays.
 */
export class Channel {
  readonly subs = new Set<Conn>();
  /** subscribers served by the JS fan-out (all of them without native pub/sub; slow ones with it) */
  readonly jsSubs = new Set<Conn>();
  /** latest state as raw JSON (the `data` of the latest frame) */
  latestRaw: string | null = null;
  latestSeq: number | null = null;
  /** time of the latest frame, epoch ms */
  latestAt = 0;
  readonly history: HistoryEntry[] = [];

  constructor(
    readonly name: string,
    private readonly historyMs: number,
    private readonly maxEntries: number,
    /** the name clients know: `name` itself, or the group of a per-viewer view channel */
    readonly label: string = name,
  ) {}

  /**
   * Records a new frame. A seq at or below the latest means the producer restarted from older
   * state (a stream worker recovering): history from that seq on is replaced.
   */
  push(seq: number, t: number, raw: string, frame: Buffer): void {
    if (this.latestSeq !== null && seq <= this.latestSeq) {
      while (this.history.length > 0 && (this.history[this.history.length - 1] as HistoryEntry).seq >= seq) {
        this.history.pop();
      }
    }
    this.history.push({ seq, t, frame });
    // prune in chunks, so a busy channel does not shift the array on every frame
    const h = this.history;
    if (h.length > this.maxEntries * 1.25 || (h.length > 64 && (h[0] as HistoryEntry).t < t - this.historyMs * 1.25)) {
      const cutoff = t - this.historyMs;
      let drop = Math.max(0, h.length - this.maxEntries);
      while (drop < h.length && (h[drop] as HistoryEntry).t < cutoff) drop++;
      h.splice(0, drop);
    }
    this.latestRaw = raw;
    this.latestSeq = seq;
    this.latestAt = t;
  }

  /** Drops history older than the window (channels that stopped receiving frames). */
  expire(now: number): void {
    const cutoff = now - this.historyMs;
    let drop = 0;
    while (drop < this.history.length && (this.history[drop] as HistoryEntry).t < cutoff) drop++;
    if (drop > 0) this.history.splice(0, drop);
  }

  /** Frames after `since`, oldest first, and whether the history reaches back to it. */
  since(since: number, now: number): { frames: Buffer[]; gap: boolean } {
    const cutoff = now - this.historyMs;
    const frames: Buffer[] = [];
    let first: number | null = null;
    for (const e of this.history) {
      if (e.t < cutoff) continue;
      if (first === null) first = e.seq;
      if (e.seq > since) frames.push(e.frame);
    }
    const latest = this.latestSeq;
    // a gap: something after `since` existed but is no longer (or never was) in the history
    const gap = latest !== null && latest > since && (first === null || first > since + 1);
    return { frames, gap };
  }
}
