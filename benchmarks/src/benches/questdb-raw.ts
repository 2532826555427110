import { Sender } from '@questdb/nodejs-client';
import { TRACKING_METRICS_DDL, TRACKING_METRICS_TABLE } from '@wattstream/contracts';
import { questdbExec, waitForWalApplied } from '@wattstream/platform';
import type { Benchmark } from '../benchmark.js';
import type { BenchContext } from '../context.js';
import { withPinnedSelf } from '../proc.js';
import { RateSampler, round, type Series } from '../stats.js';

const QUESTDB_FLUSH_ROWS = 10_000;

/**
 * The raw limit for the sink: rows/s written by `@questdb/nodejs-client` over ILP/HTTP into the
 * real `tracking_metrics` table (WAL, dedup keys), one client, 10,000 rows per request, as fast
 * as QuestDB acknowledges them. No Kafka, no decoding.
 */
export const questdbRaw: Benchmark = {
  name: 'questdb-raw',
  description:
    '`@questdb/nodejs-client` 4.2 writing `tracking_metrics` rows (5 columns + 2 symbols, 1000 athletes) over ILP/HTTP, ' +
    `${QUESTDB_FLUSH_ROWS.toLocaleString('en-US')} rows per request, into the contract table (WAL, DEDUP UPSERT KEYS). ` +
    'The raw limit the QuestDB sink is compared with.',
  async run(ctx) {
    const { env } = await ctx.infra();
    const http = env.QUESTDB_HTTP!;
    const raw = await writeRawRows(ctx, http);
    const applyStart = performance.now();
    await waitForWalApplied(http, TRACKING_METRICS_TABLE, 300_000);
    const walApplyS = (performance.now() - applyStart) / 1000;
    return {
      figures: {
        rowsPerSec: raw.rowsPerSec,
        rowsWritten: raw.rows,
        walApplyAfterEndS: round(walApplyS, 2),
      },
      ratios: {},
      charts: [{ kind: 'line', title: 'QuestDB ILP/HTTP ingest', xLabel: 's', yLabel: 'rows/s', series: [raw.series] }],
    };
  },
};

/**
 * Writes rows as fast as QuestDB acknowledges them for warm-up + duration, pinned to the system
 * under test's core like the sink it is compared with; the steady rate excludes the warm-up.
 * Distinct rows: `t0` far from other writers' timestamps.
 */
export function writeRawRows(
  ctx: BenchContext,
  http: string,
  t0 = Date.UTC(2026, 0, 1),
): Promise<{ rowsPerSec: number; rows: number; series: Series }> {
  return withPinnedSelf(ctx.pin('sut')[2], () => writeRows(ctx, http, t0));
}

async function writeRows(
  ctx: BenchContext,
  http: string,
  t0: number,
): Promise<{ rowsPerSec: number; rows: number; series: Series }> {
  await questdbExec(http, TRACKING_METRICS_DDL);
  const sender = await Sender.fromConfig(`http::addr=${new URL(http).host};auto_flush=off;request_timeout=60000`);
  let rows = 0;
  const sampler = new RateSampler('ILP/HTTP rows (bare client)', 'rows/s', () => rows, ctx.warmupMs);
  try {
    const athletes = 1000;
    const end = performance.now() + ctx.warmupMs + ctx.durationMs;
    let i = 0;
    while (performance.now() < end) {
      for (let k = 0; k < QUESTDB_FLUSH_ROWS; k++, i++) {
        const a = i % athletes;
        const power = 150 + (i % 200);
        sender
          .table(TRACKING_METRICS_TABLE)
          .symbol('athlete_id', `a${a}`)
          .symbol('device_id', `pm${a}`)
          .intColumn('power', power)
          .floatColumn('cadence', 85.5)
          .floatColumn('speed', 9.25)
          .floatColumn('distance', i * 2.5);
        await sender.at(t0 + Math.floor(i / athletes) * 250, 'ms');
      }
      await sender.flush();
      rows += QUESTDB_FLUSH_ROWS;
    }
  } finally {
    sampler.stop();
    await sender.close();
  }
  return { rowsPerSec: Math.round(sampler.steadyRate()), rows, series: sampler.series };
}
