import { type Static, Type } from '@sinclair/typebox';
import { EpochMs, Id } from '../ids.js';

/**
 * Value of a `user.profile.updated` record (key = athleteId, compacted topic). The latest record
 * per athlete is the athlete's current training profile. A tombstone (null value) deletes it.
 */
export const ProfileUpdated = Type.Object(
  {
    athleteId: Id('athlete'),
    ftp: Type.Integer({ minimum: 50, maximum: 2000, description: 'functional threshold power, W' }),
    cp: Type.Integer({ minimum: 50, maximum: 2000, description: 'critical power, W' }),
    wPrime: Type.Integer({ minimum: 1000, maximum: 100_000, description: "W' (anaerobic work capacity), J" }),
    maxHr: Type.Integer({ minimum: 100, maximum: 250, description: 'maximum heart rate, bpm' }),
    lthr: Type.Integer({ minimum: 80, maximum: 240, description: 'lactate threshold heart rate, bpm' }),
    weightKg: Type.Number({ minimum: 20, maximum: 250, description: 'body weight, kg' }),
    updatedAt: EpochMs('when the profile changed'),
  },
  {
    $id: 'wattstream/v1/ProfileUpdated',
    additionalProperties: false,
    description: "An athlete's training profile (owned by the users service).",
  },
);
export type ProfileUpdated = Static<typeof ProfileUpdated>;
