/**
 * Per-edge publish rate limit, a token bucket per edgeId shared by that edge's connections.
 * Over the limit a publish is delayed, not dropped: its handler waits, aedes does not read the
 * socket meanwhile, and TCP flow control slows the edge down. Nothing is lost and nothing is
 * acknowledged early.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number; refs: number }>();

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
  ) {}

  /** Takes one token; returns how many milliseconds the caller must wait before going on. */
  take(key: string, now = performance.now()): number {
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: this.burst, at: now, refs: 0 };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) * this.ratePerSecond) / 1000);
    b.at = now;
    b.tokens -= 1;
    return b.tokens >= 0 ? 0 : (-b.tokens * 1000) / this.ratePerSecond;
  }

  /** A connection of this edge opened. */
  retain(key: string): void {
    const b = this.buckets.get(key);
    if (b) b.refs++;
    else this.buckets.set(key, { tokens: this.burst, at: performance.now(), refs: 1 });
  }

  /** A connection of this edge closed; the bucket goes with the last one. */
  release(key: string): void {
    const b = this.buckets.get(key);
    if (b && --b.refs <= 0) this.buckets.delete(key);
  }

  get size(): number {
    return this.buckets.size;
  }
}
