/**
 * `pnpm --filter @wattstream/edge bench` (or `node --conditions=source --import tsx edge/bench/run.ts`
 * from the repository root): runs the edge load scenarios and prints their figures as JSON.
 * Figures on a shared 2-core machine are indicative only.
 */
import { benchBacklogDrain, benchSensorLoad } from './agent-load.js';

const load = await benchSensorLoad({ athletes: 25, hz: 4, windowS: Number(process.env.BENCH_WINDOW_S ?? 20) });
process.stdout.write(`${JSON.stringify({ scenario: '50 sensors at 4 Hz', target: '< 5 % of one core', ...load })}\n`);
const drain = await benchBacklogDrain({ batches: 10_000 });
process.stdout.write(`${JSON.stringify({ scenario: 'drain 10,000 queued batches', target: '< 10 s', ...drain })}\n`);
process.exit(0);
