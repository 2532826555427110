import type { ConsumedEvent } from '@wattstream/kernel';
import type { Notifier } from '../notify.js';

/** What every trigger consumer needs from the service. */
export interface TriggerContext {
  group: string;
  notifier: Notifier;
}

/** The event's own time (ce_time), else Kafka's record timestamp: where delivery latency starts. */
export function eventTimeOf(e: ConsumedEvent<unknown>): number {
  const t = Date.parse(e.ce.time);
  return Number.isFinite(t) ? t : e.timestamp;
}
