import type { Sport, WorkoutStep } from '@wattstream/contracts';
import { WattstreamError } from '@wattstream/platform';
import { TrainingErrorCode } from '../errors.js';

export interface ParsedWorkout {
  name: string;
  description: string;
  sport: Sport;
  steps: WorkoutStep[];
}

/** 422 naming where in the file the problem is. */
export const formatError = (message: string, field: string) =>
  new WattstreamError(TrainingErrorCode.WorkoutFileInvalid, message, {
    statusCode: 422,
    details: { fields: [{ field, message }] },
  });

export function unsupported(message: string): never {
  throw new WattstreamError(TrainingErrorCode.FormatUnsupported, message, { statusCode: 422 });
}
