import { Child, distFile } from '../child.js';
import type { BenchContext } from '../context.js';
import type { Series } from '../stats.js';
import type { MqttConnSpec, MqttLoadConfig, MqttLoadDone, MqttLoadMsg } from './mqtt-load.js';

export interface MqttLoadRun {
  done: MqttLoadDone;
  /** acknowledged publishes per second, over the whole run (warm-up included) */
  series: Series;
  /** acknowledged publishes per second in the measured window (after the warm-up) */
  ackedPerSec: number;
}

/** Batches of samples ingest's capacity is measured with (issue 4: batches of 100). */
export const CAPACITY_SAMPLES_PER_BATCH = 100;
/** Time covered by one capacity batch (4 Hz samples squeezed into it, as a busy edge sends). */
export const CAPACITY_PERIOD_MS = 250;
/** Batches in flight per connection in the capacity load. */
export const CAPACITY_WINDOW = 16;

/**
 * The closed-loop load that measures ingest's capacity (ingest, soak's probe, the profiler):
 * every connection keeps `CAPACITY_WINDOW` batches of `CAPACITY_SAMPLES_PER_BATCH` in flight.
 */
export function capacityLoad(url: string, connections: MqttConnSpec[]): MqttLoadConfig {
  return {
    url,
    connections,
    samplesPerBatch: CAPACITY_SAMPLES_PER_BATCH,
    timed: false,
    periodMs: CAPACITY_PERIOD_MS,
    mode: 'closed',
    window: CAPACITY_WINDOW,
    ratePerSec: 0,
  };
}

/** A connected MQTT load generator process, pinned to the load core. */
export class MqttLoad {
  private constructor(
    private readonly child: Child<MqttLoadMsg>,
    readonly config: MqttLoadConfig,
  ) {}

  static async connect(ctx: BenchContext, name: string, config: MqttLoadConfig): Promise<MqttLoad> {
    const child = new Child<MqttLoadMsg>(name, distFile('load/mqtt-load.js'), { pin: ctx.pin('load') });
    ctx.onCleanup(() => child.stop());
    child.send({ type: 'config', config });
    await child.next('connected', 120_000);
    return new MqttLoad(child, config);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Runs warm-up + duration; `onTick` sees the cumulative counters every second. */
  async run(
    durationMs: number,
    warmupMs: number,
    seriesName: string,
    onTick?: (tick: { at: number; sent: number; acked: number }) => void,
    t0?: number,
  ): Promise<MqttLoadRun> {
    const series: Series = { name: seriesName, unit: 'msg/s', points: [] };
    let last: { at: number; acked: number } | undefined;
    const started = Date.now();
    this.child.onMessage((m) => {
      if (m.type !== 'tick') return;
      if (last)
        series.points.push([(m.at - started) / 1000, Math.round(((m.acked - last.acked) * 1000) / (m.at - last.at))]);
      last = m;
      onTick?.(m);
    });
    this.child.send({ type: 'run', durationMs, warmupMs, ...(t0 === undefined ? {} : { t0 }) });
    const done = await this.child.next('done', warmupMs + durationMs + 120_000);
    // open loop: publishes scheduled in the window that were acknowledged (acks of a warm-up
    // backlog arriving in the window must not count); closed loop: acks received in the window
    const acked = this.config.mode === 'open' ? done.measured : done.ackedMeasured;
    return { done, series, ackedPerSec: acked / done.measuredSeconds };
  }

  stop(): Promise<void> {
    return this.child.stop();
  }
}
