import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@wattstream/infra';
import { tempDir } from '@wattstream/infra/testing';
import { encodeRide, type RideSecond } from './fit-encode.js';

/**
 * Real FIT activities live in `../shared/fixtures/fit` beside the repository, when it is there
 * (CI has it, a user's clone does not). They are read, never committed.
 */
export const REAL_FIT_DIR = join(repoRoot(), '..', 'shared', 'fixtures', 'fit');

export interface FitFixture {
  path: string;
  /** `real`: the file from ../shared; `generated`: the project's own ride, encoded with the fitsdk encoder. */
  source: 'real' | 'generated';
}

/** A generated outdoor ride: an hour at 1 Hz of varying power, heart rate, cadence and speed. */
export function generatedRide(seconds = 3600, seed = 1): RideSecond[] {
  return Array.from({ length: seconds }, (_, i) => ({
    power: Math.round(180 + 60 * Math.sin(i / 90 + seed) + ((i * 37 + seed * 11) % 40)),
    hr: Math.round(130 + 15 * Math.sin(i / 300 + seed)),
    cadence: 85 + (i % 10),
    speed: 8 + Math.sin(i / 120 + seed),
  }));
}

/**
 * The real FIT file `name` when ../shared/fixtures/fit has it, else a ride the project generates
 * with the fitsdk encoder, so a check against a recorded ride runs in every clone. Says on stderr
 * which one the check uses.
 */
export function fitFixture(name: string, opts: { seconds?: number; start?: Date } = {}): FitFixture {
  const real = join(REAL_FIT_DIR, name);
  if (existsSync(real)) {
    process.stderr.write(`[fit] ${name}: the real file from ../shared/fixtures/fit\n`);
    return { path: real, source: 'real' };
  }
  const path = join(tempDir('fit'), name);
  writeFileSync(path, encodeRide(opts.start ?? new Date(Date.UTC(2026, 0, 5, 7)), generatedRide(opts.seconds)));
  process.stderr.write(`[fit] ${name}: ../shared/fixtures/fit is not beside the repository; using a generated ride\n`);
  return { path, source: 'generated' };
}
