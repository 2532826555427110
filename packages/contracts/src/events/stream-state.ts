import { type Static, Type } from '@sinclair/typebox';
import { EpochMs, Id } from '../ids.js';

/**
 * Value of a `stream.athlete.state` record (key = athleteId, compacted): the stream worker's
 * changelog. Written in the same Kafka transaction as the consumer offsets it reflects, so a
 * worker that takes over a partition (after a crash or a rebalance) restores exactly the state
 * of the committed input. `state` is internal to the stream worker and versioned by `v`; other
 * services must not read it. A tombstone (null value) removes an athlete that has been idle.
 */
export const AthleteStateSnapshot = Type.Object(
  {
    v: Type.Literal(1, { description: 'format version of `state`' }),
    athleteId: Id('athlete'),
    updatedAt: EpochMs('arrival time (record timestamp) of the latest input applied'),
    state: Type.Unknown({ description: 'stream-internal state, see stream/src/state-codec.ts' }),
  },
  {
    $id: 'wattstream/v1/AthleteStateSnapshot',
    additionalProperties: false,
    description: "The stream worker's per-athlete state (changelog, internal).",
  },
);
export type AthleteStateSnapshot = Static<typeof AthleteStateSnapshot>;
