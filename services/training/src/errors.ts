/** Codes raised by the training service, listed in docs/errors.md. */
export const TrainingErrorCode = {
  /** The upload is not a FIT activity (bad header, CRC, truncated, no records). */
  FitInvalid: 'WS_TRAINING_FIT_INVALID',
  /** The upload (or its declared length) is larger than TRAINING_UPLOAD_LIMIT. */
  UploadTooLarge: 'WS_TRAINING_UPLOAD_TOO_LARGE',
  /** A multipart request without its `file` field, or with something else in it. */
  UploadMalformed: 'WS_TRAINING_UPLOAD_MALFORMED',
  /** The same activity (same athlete, same start) is already stored. */
  SessionExists: 'WS_TRAINING_SESSION_EXISTS',
  /** A workout file (.zwo/.erg/.mrc) that does not follow its format, or has unknown elements. */
  WorkoutFileInvalid: 'WS_TRAINING_WORKOUT_FILE_INVALID',
  /** The workout cannot be written in the asked format (e.g. heart-rate targets to .erg). */
  FormatUnsupported: 'WS_TRAINING_FORMAT_UNSUPPORTED',
} as const;
