import { Child, distFile } from '../child.js';
import type { BenchContext } from '../context.js';
import type { Series } from '../stats.js';
import type { MqttLoadConfig, MqttLoadDone, MqttLoadMsg } from './mqtt-load.js';

export interface MqttLoadRun {
  done: MqttLoadDone;
  /** acknowledged publishes per second, over the whole run (warm-up included) */
  series: Series;
  /** acknowledged publishes per second in the measured window (after the warm-up) */
  ackedPerSec: number;
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
