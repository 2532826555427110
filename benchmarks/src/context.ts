import { rmSync } from 'node:fs';
import { cpus } from 'node:os';
import { startTestStack, type TestStack, tempDir } from '@wattstream/infra/testing';

export interface BenchOptions {
  durationMs: number;
  warmupMs: number;
  /** Offered load where a benchmark takes one (samples/s, messages/s …). */
  rate: number | undefined;
  /** Tiny run that only proves the harness works (the test suite uses it). */
  smoke: boolean;
  /** Where results are written (earlier results may inform a benchmark, e.g. soak's rate). */
  resultsDir?: string;
  log: (msg: string) => void;
}

export type CpuRole = 'sut' | 'load';

/**
 * What a benchmark gets: its options, the real infrastructure (started on free ports on first
 * use, shared by the benchmarks of one `bench` run), CPU pinning, and cleanup.
 */
export class BenchContext {
  private readonly cleanups: (() => Promise<void> | void)[] = [];

  constructor(
    readonly opts: BenchOptions,
    private readonly shared: SharedInfra,
  ) {}

  get durationMs() {
    return this.opts.durationMs;
  }
  get warmupMs() {
    return this.opts.warmupMs;
  }
  get smoke() {
    return this.opts.smoke;
  }
  log(msg: string) {
    this.opts.log(msg);
  }

  /** Real Kafka + QuestDB on free loopback ports (`KAFKA_BROKERS`, `QUESTDB_HTTP`, `QUESTDB_PG`). */
  infra(): Promise<BenchInfra> {
    return this.shared.get(this.opts.log);
  }

  /**
   * Kafka + QuestDB with empty topics, for benchmarks whose consumers start from the beginning of
   * the production topics (the whole pipeline): the run's infrastructure is replaced by a new one
   * (later benchmarks use the new one). With an injected infrastructure (the test suite's) that
   * one is returned as it is.
   */
  freshInfra(): Promise<BenchInfra> {
    return this.shared.fresh(this.opts.log);
  }

  /**
   * `taskset` prefix that pins a process to the cores of its role: the system under test on core
   * 0, load generators on core 1 (on a 2-core machine the infrastructure shares both). Empty when
   * the machine has one core or taskset is missing.
   */
  pin(role: CpuRole): string[] {
    const n = cpus().length;
    if (n < 2 || process.env.BENCH_NO_PIN === '1') return [];
    return ['taskset', '-c', role === 'sut' ? '0' : '1'];
  }

  /** A scratch folder for benchmarks that need no infrastructure (the run's, removed at the end). */
  scratchDir(): string {
    return this.shared.scratchDir();
  }

  onCleanup(fn: () => Promise<void> | void): void {
    this.cleanups.push(fn);
  }

  /** Runs the benchmark's cleanups (last first). */
  async cleanupBench(): Promise<void> {
    while (this.cleanups.length > 0) {
      const fn = this.cleanups.pop();
      try {
        await fn?.();
      } catch (err) {
        this.log(`cleanup failed: ${(err as Error).message}`);
      }
    }
  }
}

/** Connection settings of the infrastructure and a scratch folder. */
export interface BenchInfra {
  env: Record<string, string>;
  dir: string;
}

/**
 * The infrastructure of one `bench` run: started on first use and shared by its benchmarks, or
 * an existing one (the test suite's) passed in.
 */
export class SharedInfra {
  private stack: Promise<TestStack> | undefined;
  private scratch: string | undefined;

  constructor(private readonly existing?: BenchInfra) {}

  get(log: (msg: string) => void): Promise<BenchInfra> {
    if (this.existing) return Promise.resolve(this.existing);
    this.stack ??= (async () => {
      log('starting Kafka and QuestDB …');
      return startTestStack({ prefix: 'bench', kafkaHeap: '1g', questdbHeap: '1g' });
    })();
    return this.stack;
  }

  async fresh(log: (msg: string) => void): Promise<BenchInfra> {
    if (this.existing) return this.existing;
    if (this.stack) {
      log('replacing Kafka and QuestDB with fresh ones …');
      await (await this.stack).destroy();
      this.stack = undefined;
    }
    return this.get(log);
  }

  scratchDir(): string {
    if (this.existing) return this.existing.dir;
    this.scratch ??= tempDir('bench-scratch');
    return this.scratch;
  }

  async close(): Promise<void> {
    if (this.stack) await (await this.stack).destroy();
    this.stack = undefined;
    if (this.scratch) rmSync(this.scratch, { recursive: true, force: true });
    this.scratch = undefined;
  }
}
