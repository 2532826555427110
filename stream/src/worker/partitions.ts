import type { Logger } from '@wattstream/platform';
import type { Part } from './part.js';

/**
 * Which input partitions this worker owns and the state it holds for each. A rebalance drops
 * everything (the next owner — maybe this worker again — restores from the changelog); an
 * assignment keeps only the partitions still assigned. Parts are released (their transactional
 * producer closed) whenever they are dropped.
 */
export class PartitionTable {
  readonly parts = new Map<number, Part>();
  assigned: number[] = [];
  rebalancing = false;

  constructor(
    private readonly release: (part: Part) => void,
    private readonly logger: Logger,
  ) {}

  startRebalance(): void {
    this.rebalancing = true;
    this.dropAll('rebalance');
  }

  /** The group's new assignment: partitions no longer ours are dropped; the rebalance is over. */
  assign(partitions: readonly number[]): void {
    this.assigned = [...partitions].sort((a, b) => a - b);
    for (const [p, part] of [...this.parts]) if (!this.assigned.includes(p)) this.drop(p, part);
    this.rebalancing = false;
  }

  /** Assigned partitions not restored yet. */
  missing(): number[] {
    return this.assigned.filter((p) => !this.parts.has(p));
  }

  isAssigned(p: number): boolean {
    return this.assigned.includes(p);
  }

  /** Drops `part` of partition `p` (only if it is still the one held: a newer restore wins). */
  drop(p: number, part: Part): void {
    this.release(part);
    if (this.parts.get(p) === part) this.parts.delete(p);
  }

  dropAll(reason: string): void {
    if (this.parts.size > 0)
      this.logger.info({ partitions: [...this.parts.keys()], reason }, 'dropping partition state');
    for (const part of this.parts.values()) this.release(part);
    this.parts.clear();
  }

  owned(): number[] {
    return [...this.parts.keys()].sort((a, b) => a - b);
  }
}
