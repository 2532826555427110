import { startMosquitto } from '@wattstream/infra/testing';
import type { Benchmark } from '../benchmark.js';
import { pinPid } from '../proc.js';
import { runScenario } from '../services.js';
import { round } from '../stats.js';

interface SensorLoadResult {
  sensors: number;
  hz: number;
  windowS: number;
  cpuPercentOfOneCore: number;
  payloadsPerSecond: number;
  batchesAckedPerSecond: number;
  fsync: boolean;
  cpuTimeline: [number, number][];
}

interface BacklogDrainResult {
  batches: number;
  drainMs: number;
  batchesPerSecond: number;
  inflightWindow: number;
  depthTimeline: [number, number][];
}

/**
 * Issue 3's scenario with the edge package's own load functions (`edge/bench/agent-load.ts`),
 * each in its own process pinned to the SUT core: one agent reading 50 simulated sensors at 4 Hz
 * (through the real noble/ant-plus decode path, durable queue with fsync) publishing to Debian's
 * Mosquitto; then an agent draining 10,000 batches queued on disk after it connects.
 */
export const edge: Benchmark = {
  name: 'edge',
  description:
    'One edge agent (edge/bench/agent-load.ts, pinned to core 0) reading 50 simulated sensors at 4 Hz — BLE and ANT+ bytes ' +
    'through the real decoders, samples batched every 250 ms, queued on disk with fsync, QoS 1 to Debian Mosquitto (pinned to core 1) — CPU % ' +
    'of one core (the simulated radios run in the same process: an upper bound). Then 10,000 batches queued on disk before ' +
    'the agent starts: time from CONNACK to the last PUBACK.',
  async run(ctx) {
    const warmupS = ctx.warmupMs / 1000;
    const windowS = ctx.durationMs / 1000;
    // The broker runs on the load core, not beside the agent on the pinned core.
    const broker = await startMosquitto();
    ctx.onCleanup(() => broker.destroy());
    const loadCore = ctx.pin('load');
    const brokerPid = broker.process.runningPid();
    if (loadCore.length > 0 && brokerPid !== undefined) pinPid(brokerPid, loadCore[2]!);
    ctx.log('50 sensors at 4 Hz …');
    const load = await runScenario<SensorLoadResult>(ctx, {
      file: 'edge/bench/agent-load.ts',
      fn: 'benchSensorLoad',
      args: [{ athletes: 25, hz: 4, warmupS, windowS, mqttUrl: broker.url }],
      pin: ctx.pin('sut'),
    });
    const batches = ctx.smoke ? 1000 : 10_000;
    ctx.log(`drain ${batches} queued batches …`);
    const drain = await runScenario<BacklogDrainResult>(ctx, {
      file: 'edge/bench/agent-load.ts',
      fn: 'benchBacklogDrain',
      args: [{ batches, mqttUrl: broker.url }],
      pin: ctx.pin('sut'),
    });
    return {
      figures: {
        sensors: load.sensors,
        cpuPctOfOneCore: load.cpuPercentOfOneCore,
        payloadsPerSec: load.payloadsPerSecond,
        batchesAckedPerSec: load.batchesAckedPerSecond,
        drainBatches: drain.batches,
        drainS: round(drain.drainMs / 1000, 2),
        drainBatchesPerSec: drain.batchesPerSecond,
      },
      ratios: {},
      targets: [
        {
          name: '50 sensors at 4 Hz under 5 % of one core (issue 3)',
          figure: 'cpuPctOfOneCore',
          op: '<=',
          threshold: 5,
        },
        { name: 'drain 10,000 queued batches in under 10 s (issue 3)', figure: 'drainS', op: '<=', threshold: 10 },
      ],
      charts: [
        {
          kind: 'line',
          title: `Edge agent CPU, ${load.sensors} sensors at ${load.hz} Hz (fsync ${load.fsync ? 'on' : 'off'})`,
          xLabel: 's',
          yLabel: '% of one core',
          series: [{ name: 'agent + simulated radios', unit: '%', points: load.cpuTimeline }],
        },
        {
          kind: 'line',
          title: `Draining ${drain.batches.toLocaleString('en-US')} queued batches after reconnect`,
          xLabel: 's since CONNACK',
          yLabel: 'batches queued',
          series: [
            {
              name: `queue depth (${drain.inflightWindow} in flight)`,
              unit: 'batches',
              points: drain.depthTimeline.map(([ms, d]) => [ms / 1000, d]),
            },
          ],
        },
      ],
      notes: [
        'The CPU figure counts the simulated BLE/ANT+ radios too (they run in the agent process): an upper bound for the agent.',
        ...(ctx.smoke ? ['Smoke run: 1,000 batches drained instead of 10,000.'] : []),
      ],
    };
  },
};
