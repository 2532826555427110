import type { Sample } from '@wattstream/contracts';
import { EdgeErrorCode } from '../errors.js';

/** Metrics of a v1 `Sample` without its `ts`: what one notification or ANT+ page yields. */
export type Metrics = Omit<Sample, 'ts'>;

/** Codes of decoder results; also listed in docs/errors.md. */
export const DecodeErrorCode = {
  /** The payload ended before a field its flags announce. */
  Truncated: EdgeErrorCode.DecodeTruncated,
  /** The payload is well-formed but carries a page or layout we do not decode. */
  Unsupported: EdgeErrorCode.DecodeUnsupported,
  /** No decoder for this characteristic or device type. */
  UnknownProfile: EdgeErrorCode.DecodeUnknownProfile,
} as const;
export type DecodeErrorCode = (typeof DecodeErrorCode)[keyof typeof DecodeErrorCode];

export interface DecodeError {
  code: DecodeErrorCode;
  message: string;
}

/** Everything a payload says, normalized. `metrics` are contract v1 names and units, already
 * inside `METRIC_RANGES` (values outside are moved to `details.outOfRange`); `details` carries
 * what the contract has no field for (battery, contact, torque, …), for status and debugging. */
export interface Reading {
  metrics: Metrics;
  details: Record<string, unknown>;
}

export type DecodeResult = { ok: true; reading: Reading } | { ok: false; error: DecodeError };

export interface DecodeContext {
  /** Arrival time of the payload (epoch ms); used for stale-counter detection only. */
  nowMs: number;
}

export const fail = (code: DecodeErrorCode, message: string): DecodeResult => ({ ok: false, error: { code, message } });
