import { type Static, Type } from '@sinclair/typebox';
import { EpochMs, Id } from '../ids.js';

/** Upper bounds of power zones 1–6 as fractions of FTP (zone 7 above the last): Coggan's by default. */
export const PowerZoneBounds = Type.Array(Type.Number({ exclusiveMinimum: 0, maximum: 3 }), {
  minItems: 6,
  maxItems: 6,
  description: 'upper bounds of power zones 1–6 as fractions of FTP, increasing',
});
/** Upper bounds of heart-rate zones 1–4 as fractions of LTHR (zone 5 above the last). */
export const HrZoneBounds = Type.Array(Type.Number({ exclusiveMinimum: 0, maximum: 2 }), {
  minItems: 4,
  maxItems: 4,
  description: 'upper bounds of heart-rate zones 1–4 as fractions of LTHR, increasing',
});
export const Units = Type.Union([Type.Literal('metric'), Type.Literal('imperial')], {
  description: 'how the athlete wants distances, speeds and weights shown',
});

/**
 * The profile an athlete has until they set their own: values of an untrained adult (the stream
 * applies them too, reporting `profileSource: 'default'`, to athletes it has no profile for).
 */
export const DEFAULT_TRAINING_PROFILE = Object.freeze({
  ftp: 200,
  cp: 210,
  wPrime: 20_000,
  maxHr: 190,
  lthr: 170,
  weightKg: 75,
  powerZoneBounds: [0.55, 0.75, 0.9, 1.05, 1.2, 1.5],
  hrZoneBounds: [0.81, 0.9, 0.94, 1.0],
  units: 'metric' as const,
});

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
    powerZoneBounds: Type.Optional(PowerZoneBounds),
    hrZoneBounds: Type.Optional(HrZoneBounds),
    units: Type.Optional(Units),
    updatedAt: EpochMs('when the profile changed'),
  },
  {
    $id: 'wattstream/v1/ProfileUpdated',
    additionalProperties: false,
    description: "An athlete's training profile (owned by the users service).",
  },
);
export type ProfileUpdated = Static<typeof ProfileUpdated>;
