import type { DecodeResult, Reading } from '../src/decoders/index.js';

export const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/[\s:]/g, ''), 'hex'));

/** The reading of a successful decode, or a failed assertion naming the error. */
export function reading(r: DecodeResult): Reading {
  if (!r.ok) throw new Error(`expected a reading, got ${r.error.code}: ${r.error.message}`);
  return r.reading;
}
