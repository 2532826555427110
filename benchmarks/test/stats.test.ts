import { describe, expect, it } from 'vitest';
import { round } from '../src/stats.js';

describe('round', () => {
  it('rounds to the given decimals', () => {
    expect(round(1.2345, 2)).toBe(1.23);
    expect(round(-1.25, 1)).toBe(-1.2);
  });

  it('gives 0, not -0, for a tiny negative, so the value survives a JSON round trip', () => {
    const r = round(-0.004, 1);
    expect(Object.is(r, -0)).toBe(false);
    expect(JSON.parse(JSON.stringify({ r }))).toEqual({ r });
  });
});
