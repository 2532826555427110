import type { BenchContext } from './context.js';
import type { BenchOutput } from './result.js';

export interface Benchmark {
  name: string;
  description: string;
  /** Default measured duration when `--duration` is not given. */
  defaultDurationMs?: number;
  run(ctx: BenchContext): Promise<BenchOutput>;
}
