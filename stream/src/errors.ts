import { LiveErrorCode } from '@wattstream/contracts';

export { WattstreamError } from '@wattstream/platform';

/** Codes raised by the stream worker and the live server (listed in the README and docs/errors.md). */
export const StreamErrorCode = {
  /** a `tracking.metrics.received` record is not JSON or not a MetricsReceived; skipped and counted */
  BadRecord: 'WS_STREAM_BAD_RECORD',
  /** the changelog topic has fewer partitions than the input topic */
  ChangelogPartitions: 'WS_STREAM_CHANGELOG_PARTITIONS',
  /** restoring a partition's state from the changelog did not finish in time */
  RestoreTimeout: 'WS_STREAM_RESTORE_TIMEOUT',
  /** a Kafka transaction failed; the uncommitted work is dropped and redone from the last commit */
  CommitFailed: 'WS_STREAM_COMMIT_FAILED',
  /** another worker took over a partition (its producer fenced ours); this one drops the partition */
  Fenced: 'WS_STREAM_FENCED',
  /** a `user.profile.updated` record does not match the schema; ignored */
  BadProfile: 'WS_STREAM_BAD_PROFILE',
  /** the uWebSockets.js native binary did not load; the live server uses the ws transport */
  UwsUnavailable: 'WS_LIVE_UWS_UNAVAILABLE',
  /** LIVE_TRANSPORT=uws but the native binary does not load */
  UwsRequired: 'WS_LIVE_UWS_REQUIRED',
  /** a PUT /v1/groups body is not a valid group definition */
  GroupInvalid: 'WS_LIVE_GROUP_INVALID',
  /** no such HTTP route */
  NotFound: 'WS_LIVE_NOT_FOUND',
  ...LiveErrorCode,
} as const;
