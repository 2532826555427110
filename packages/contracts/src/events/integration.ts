import { type Static, Type } from '@sinclair/typebox';
import { EpochMs, Id } from '../ids.js';

/** Value of an `integration.sync.failed` record (key = userId). */
export const IntegrationSyncFailed = Type.Object(
  {
    userId: Id('user whose sync failed'),
    provider: Type.Union([
      Type.Literal('strava'),
      Type.Literal('garmin'),
      Type.Literal('trainingpeaks'),
      Type.Literal('wahoo'),
      Type.Literal('other'),
    ]),
    direction: Type.Union([Type.Literal('import'), Type.Literal('export')]),
    activityId: Type.Optional(Type.String({ maxLength: 128 })),
    attempt: Type.Integer({ minimum: 1, description: '1 for the first try' }),
    retryable: Type.Boolean({ description: 'false when a person must act (revoked token, …)' }),
    nextRetryAt: Type.Optional(EpochMs('when the next automatic retry is scheduled')),
    error: Type.Object(
      {
        code: Type.String({ description: 'stable error code' }),
        message: Type.String({ maxLength: 2000 }),
        httpStatus: Type.Optional(Type.Integer({ minimum: 100, maximum: 599 })),
      },
      { additionalProperties: false },
    ),
    failedAt: EpochMs('when the attempt failed'),
  },
  {
    $id: 'wattstream/v1/IntegrationSyncFailed',
    additionalProperties: false,
    description: 'A sync with a third-party provider failed; drives retries and user notifications.',
  },
);
export type IntegrationSyncFailed = Static<typeof IntegrationSyncFailed>;
