import type { SessionSummarized } from '@wattstream/contracts';

/** A `training.session.summarized` value: a one-hour ride of `athleteId` starting at `startedAt`. */
export function summarizedEvent(
  athleteId: string,
  startedAt: number,
  o: {
    revision?: number;
    distanceM?: number;
    durationS?: number;
    gearId?: string | null;
    sport?: SessionSummarized['sport'];
  } = {},
): SessionSummarized {
  const revision = o.revision ?? 1;
  return {
    sessionId: `${athleteId}:${startedAt}`,
    athleteId,
    revision,
    source: 'live',
    sport: o.sport ?? 'cycling',
    startedAt,
    endedAt: startedAt + 3_600_000,
    durationS: o.durationS ?? 3600,
    movingS: 3500,
    distanceM: o.distanceM ?? 35_000,
    kj: 720,
    avgPower: 200,
    maxPower: 900,
    normalizedPower: 220,
    intensity: 0.88,
    load: 77.4,
    avgHr: 140,
    maxHr: 175,
    timeInPowerZones: null,
    timeInHrZones: null,
    ftp: 250,
    gearId: o.gearId ?? null,
    workoutId: null,
    summarizedAt: startedAt + 3_601_000,
  };
}

/** A `user.account.deleted` record of `userId` for the consumer contract: key, value and ce_id. */
export function accountDeletedRecord(userId: string, deletedAt: number) {
  return { key: userId, value: { userId, deletedAt }, id: `deleted:${userId}` };
}
