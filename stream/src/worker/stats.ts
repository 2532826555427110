import { cloudEventHeaders, kafkaTopics } from '@wattstream/contracts';
import type { Processor } from '../processor.js';
import { chunks, MAX_REQUEST_BYTES, type Part } from './part.js';

export interface StatsMessage {
  key: string;
  value: string;
  headers: Record<string, string>;
}

/**
 * Live stats, coalesced: at most one `tracking.stats.updated` per athlete per `intervalMs`, the
 * latest state each time. Not transactional (they must not wait for a commit). One send in flight
 * at a time; athletes that changed meanwhile go out with the next tick.
 */
export class StatsEmitter {
  private inFlight: Promise<void> | null = null;

  constructor(
    private readonly processor: Pick<Processor, 'stats'>,
    private readonly intervalMs: number,
    private readonly send: (messages: StatsMessage[]) => Promise<void>,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** The athletes of `parts` due for a record at `now`, as records (and marks them emitted). */
  due(parts: Iterable<Part>, now: number): StatsMessage[] {
    const messages: StatsMessage[] = [];
    for (const part of parts) {
      for (const a of part.state.dirty) {
        if (now - a.lastEmitWall < this.intervalMs) continue;
        part.state.dirty.delete(a);
        const st = this.processor.stats(a);
        if (st === null) continue;
        a.lastEmitWall = now;
        const traceparent = a.statsTraced ? undefined : a.traceparent;
        a.statsTraced = true;
        messages.push({
          key: a.athleteId,
          value: JSON.stringify(st),
          headers: cloudEventHeaders({
            type: kafkaTopics.statsUpdated.name,
            id: `${a.athleteId}:${st.seq}`,
            source: '/stream',
            time: now,
            ...(traceparent === undefined ? {} : { traceparent }),
          }),
        });
      }
    }
    return messages;
  }

  /** Sends what is due, unless a send is still in flight; returns how many records it started. */
  tick(parts: Iterable<Part>, now: number): number {
    if (this.inFlight !== null) return 0;
    const messages = this.due(parts, now);
    if (messages.length === 0) return 0;
    this.inFlight = (async () => {
      for (const chunk of chunks(messages, MAX_REQUEST_BYTES)) await this.send(chunk);
    })()
      .catch(this.onError)
      .finally(() => {
        this.inFlight = null;
      });
    return messages.length;
  }

  /** Waits for the send in flight, if any. */
  async settled(): Promise<void> {
    await this.inFlight;
  }
}
