import { DecodeErrorCode, type DecodeResult, fail } from './types.js';

/** Thrown only inside a decoder and caught by `safely`; never escapes a decoder. */
export class Truncated extends Error {
  constructor(
    readonly field: string,
    readonly need: number,
    readonly have: number,
  ) {
    super(`payload ends before ${field} (needs ${need} more byte(s), ${have} left)`);
  }
}

/** Little-endian cursor over a payload; every read names the field it is for. */
export class Reader {
  private pos = 0;
  constructor(private readonly b: Uint8Array) {}

  get remaining(): number {
    return this.b.length - this.pos;
  }
  private need(n: number, field: string): number {
    if (this.remaining < n) throw new Truncated(field, n, this.remaining);
    const at = this.pos;
    this.pos += n;
    return at;
  }
  u8(field: string): number {
    return this.b[this.need(1, field)]!;
  }
  u16(field: string): number {
    const i = this.need(2, field);
    return this.b[i]! | (this.b[i + 1]! << 8);
  }
  s16(field: string): number {
    const v = this.u16(field);
    return v >= 0x8000 ? v - 0x10000 : v;
  }
  u24(field: string): number {
    const i = this.need(3, field);
    return this.b[i]! | (this.b[i + 1]! << 8) | (this.b[i + 2]! << 16);
  }
  u32(field: string): number {
    const i = this.need(4, field);
    return (this.b[i]! | (this.b[i + 1]! << 8) | (this.b[i + 2]! << 16)) + this.b[i + 3]! * 0x1000000;
  }
  bytes(n: number, field: string): Uint8Array {
    const i = this.need(n, field);
    return this.b.subarray(i, i + n);
  }
}

/**
 * Runs a decoder body; a `Truncated` (the payload is shorter than its flags announce) becomes a
 * typed error and the state is kept. Anything else is a bug in the decoder and is rethrown, so the
 * property tests that feed decoders arbitrary bytes catch it instead of seeing a typed error.
 */
export function safely<S>(state: S, body: () => [DecodeResult, S]): [DecodeResult, S] {
  try {
    return body();
  } catch (err) {
    if (err instanceof Truncated) return [fail(DecodeErrorCode.Truncated, err.message), state];
    throw err;
  }
}

export const u16le = (b: Uint8Array, i: number): number => b[i]! | (b[i + 1]! << 8);
