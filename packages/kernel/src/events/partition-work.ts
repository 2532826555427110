/**
 * The records of one partition that a consumer has taken but not finished. Records of one key run
 * one after another, in offset order; different keys run concurrently, across fetched batches, so a
 * slow key never holds the others back. The partition's committable offset is the lowest offset
 * still in flight (or one past the highest seen when none is), so a crash or a rebalance redoes
 * exactly what was not finished — and idempotency makes the redo harmless.
 */
export class PartitionWork {
  private readonly inFlight = new Set<bigint>();
  private readonly chains = new Map<string, Promise<boolean>>();
  private next: bigint | undefined;
  private changed: (() => void)[] = [];
  /** Set when the partition is revoked or the consumer stops: no further record of it starts. */
  abandoned = false;
  committed: bigint | undefined;
  private running = 0;
  private readonly slots: (() => void)[] = [];

  /** `concurrency`: records of different keys handled at the same time. */
  constructor(private readonly concurrency: number) {}

  get size(): number {
    return this.inFlight.size;
  }

  /**
   * Queues `run` behind the earlier records of `key`. `run` resolves true when the record reached an
   * outcome; false (interrupted) leaves it in flight, and the key's later records are not run — they
   * are redone, in order, by whoever consumes the partition next.
   */
  add(key: string, offset: bigint, run: () => Promise<boolean>): void {
    this.inFlight.add(offset);
    if (this.next === undefined || offset >= this.next) this.next = offset + 1n;
    const previous = this.chains.get(key) ?? Promise.resolve(true);
    const tail: Promise<boolean> = previous.then(async (ok) => {
      if (!ok || this.abandoned) return false;
      await this.acquire();
      let done = false;
      try {
        done = await run().catch(() => false);
      } finally {
        this.release();
      }
      if (done) this.inFlight.delete(offset);
      this.notify();
      return done;
    });
    this.chains.set(key, tail);
    void tail.then(() => {
      if (this.chains.get(key) === tail) this.chains.delete(key);
    });
  }

  /** The offset to commit now (the next record to read after a restart), if any. */
  committable(): bigint | undefined {
    if (this.inFlight.size === 0) return this.next;
    let min: bigint | undefined;
    for (const o of this.inFlight) if (min === undefined || o < min) min = o;
    return min;
  }

  /** Resolves when fewer than `limit` records are in flight (or after `ms`, to let the caller heartbeat). */
  async below(limit: number, ms: number): Promise<boolean> {
    if (this.inFlight.size < limit) return true;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.changed.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    return this.inFlight.size < limit;
  }

  /** Resolves once every queued record has finished or given up. */
  async idle(): Promise<void> {
    while (this.chains.size > 0) await Promise.allSettled([...this.chains.values()]);
  }

  private async acquire(): Promise<void> {
    if (this.running < this.concurrency) {
      this.running++;
      return;
    }
    await new Promise<void>((resolve) => this.slots.push(resolve));
  }

  private release(): void {
    const next = this.slots.shift();
    if (next) next();
    else this.running--;
  }

  private notify(): void {
    const waiting = this.changed;
    this.changed = [];
    for (const w of waiting) w();
  }
}
