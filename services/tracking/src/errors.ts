/** Codes raised by the tracking service, listed in docs/errors.md. */
export const TrackingErrorCode = {
  /** QuestDB (the history store) does not answer: 503, retry shortly. */
  HistoryUnavailable: 'WS_TRACKING_HISTORY_UNAVAILABLE',
  /** The requested time range is longer than TRACKING_MAX_RANGE, or ends before it starts. */
  RangeInvalid: 'WS_TRACKING_RANGE_INVALID',
  /** GPX needs positions and the session has none (an indoor ride): export FIT or TCX. */
  NoPositions: 'WS_TRACKING_NO_POSITIONS',
  /** The session has no samples in the history (yet). */
  NoSamples: 'WS_TRACKING_NO_SAMPLES',
} as const;
