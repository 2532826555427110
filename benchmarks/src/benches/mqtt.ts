import { startMosquitto } from '@wattstream/infra/testing';
import type { Benchmark } from '../benchmark.js';
import type { BenchContext } from '../context.js';
import { MqttLoad, type MqttLoadRun } from '../load/mqtt-driver.js';
import type { MqttConnSpec } from '../load/mqtt-load.js';
import { pinPid, procCpuSeconds } from '../proc.js';
import { edgeConnections, scratch, startIngest } from '../services.js';
import { round, type Series } from '../stats.js';

const CONNECTIONS = 16;
const WINDOW = 16;
const SAMPLES = 10;

interface Phase {
  run: MqttLoadRun;
  cpuCores: number;
  loadCpuCores: number;
}

async function phase(
  ctx: BenchContext,
  label: string,
  url: string,
  conns: MqttConnSpec[],
  brokerPid: () => number | undefined,
  mode: { mode: 'closed' } | { mode: 'open'; ratePerSec: number },
  durationMs: number,
): Promise<Phase> {
  const load = await MqttLoad.connect(ctx, `mqtt load (${label})`, {
    url,
    connections: conns,
    samplesPerBatch: SAMPLES,
    timed: false,
    periodMs: 250,
    mode: mode.mode,
    window: WINDOW,
    ratePerSec: mode.mode === 'open' ? mode.ratePerSec : 0,
  });
  // CPU over the measured window only: from the first load tick after the warm-up to the last.
  const cpuAt = () => ({ at: performance.now(), broker: procCpuSeconds(brokerPid()), load: procCpuSeconds(load.pid) });
  // (A run too short for two ticks, a smoke run, falls back to the whole run.)
  const whole = cpuAt();
  const runStart = Date.now();
  const ticks: ReturnType<typeof cpuAt>[] = [];
  const run = await load.run(durationMs, ctx.warmupMs, label, (tick) => {
    if (tick.at - runStart >= ctx.warmupMs) ticks.push(cpuAt());
  });
  const [from, to] = ticks.length >= 2 ? [ticks[0]!, ticks.at(-1)!] : [whole, cpuAt()];
  const secs = (to.at - from.at) / 1000;
  const cpuCores = round((to.broker - from.broker) / secs, 2);
  const loadCpuCores = round((to.load - from.load) / secs, 2);
  await load.stop();
  ctx.log(
    `${label}: ${Math.round(run.ackedPerSec)} msg/s, p50 ${run.done.latency.p50} ms, p99 ${run.done.latency.p99} ms, broker ${cpuCores} cores`,
  );
  return { run, cpuCores, loadCpuCores };
}

/**
 * The ingest MQTT endpoint against Debian's Mosquitto 2 under the same publisher load: 16 QoS 1
 * connections publishing 10-sample batches. Saturation (16 in flight per connection) gives
 * messages/s; then both take the same fixed open-loop rate (half of ingest's saturation, or
 * `--rate`) and PUBACK latency is measured from each publish's intended send time.
 */
export const mqtt: Benchmark = {
  name: 'mqtt',
  description:
    'The ingest MQTT endpoint (aedes; auth, ACL, validation, PUBACK only after Kafka acks=all) vs Debian Mosquitto 2 ' +
    `(no auth, no persistence, messages dropped: a pure broker), same load: ${CONNECTIONS} QoS 1 connections, ` +
    `${SAMPLES}-sample batches. Saturation with ${WINDOW} publishes in flight per connection → messages/s; then the same ` +
    'open-loop rate for both (half of ingest saturation, or `--rate` msg/s) → PUBACK latency from the intended send time.',
  async run(ctx) {
    const { env, dir } = await ctx.infra();
    const dataDir = scratch(dir, 'mqtt');
    const half = Math.max(1000, ctx.durationMs / 2);
    const { conns } = await edgeConnections(dataDir, {
      edges: CONNECTIONS,
      athletesPerEdge: 4,
      prefix: 'mq',
      credentials: true,
    });
    const anon = conns.map(({ clientId, topics }) => ({ clientId: `${clientId}-m`, topics }));

    const ingest = await startIngest(ctx, env, dataDir);
    const mosq = await startMosquitto();
    ctx.onCleanup(() => mosq.destroy());
    const mosqPid = () => mosq.process.runningPid();
    const sut = ctx.pin('sut');
    if (sut.length > 0 && mosqPid()) pinPid(mosqPid()!, sut[2]!);

    const ingestSat = await phase(
      ctx,
      'ingest saturated',
      ingest.mqttUrl,
      conns,
      () => ingest.svc.pid,
      { mode: 'closed' },
      half,
    );
    const mosqSat = await phase(ctx, 'mosquitto saturated', mosq.url, anon, mosqPid, { mode: 'closed' }, half);
    const rate = Math.round(ctx.opts.rate ?? Math.max(100, ingestSat.run.ackedPerSec * 0.5));
    const ingestLat = await phase(
      ctx,
      `ingest at ${rate} msg/s`,
      ingest.mqttUrl,
      conns,
      () => ingest.svc.pid,
      { mode: 'open', ratePerSec: rate },
      half,
    );
    const mosqLat = await phase(
      ctx,
      `mosquitto at ${rate} msg/s`,
      mosq.url,
      anon,
      mosqPid,
      { mode: 'open', ratePerSec: rate },
      half,
    );

    const shift = (s: Series, name: string): Series => ({ ...s, name });
    const li = ingestLat.run.done.latency;
    const lm = mosqLat.run.done.latency;
    return {
      figures: {
        ingestMsgsPerSec: Math.round(ingestSat.run.ackedPerSec),
        ingestSamplesPerSec: Math.round(ingestSat.run.ackedPerSec * SAMPLES),
        mosquittoMsgsPerSec: Math.round(mosqSat.run.ackedPerSec),
        ingestSaturatedP99Ms: round(ingestSat.run.done.latency.p99, 2),
        mosquittoSaturatedP99Ms: round(mosqSat.run.done.latency.p99, 2),
        latencyRateMsgsPerSec: rate,
        ingestPubackP50Ms: round(li.p50, 2),
        ingestPubackP99Ms: round(li.p99, 2),
        ingestPubackMaxMs: round(li.max, 2),
        mosquittoPubackP50Ms: round(lm.p50, 2),
        mosquittoPubackP99Ms: round(lm.p99, 2),
        mosquittoPubackMaxMs: round(lm.max, 2),
        ingestCpuCores: ingestSat.cpuCores,
        mosquittoCpuCores: mosqSat.cpuCores,
        loadGenCpuCoresIngest: ingestSat.loadCpuCores,
        loadGenCpuCoresMosquitto: mosqSat.loadCpuCores,
        unackedAtEnd: ingestLat.run.done.unacked + mosqLat.run.done.unacked,
      },
      ratios: {
        ingestToMosquittoMsgs: round(ingestSat.run.ackedPerSec / mosqSat.run.ackedPerSec, 3),
        ingestToMosquittoP99: round(li.p99 / lm.p99, 2),
      },
      charts: [
        {
          kind: 'line',
          title: `Saturation: acknowledged QoS 1 publishes (${CONNECTIONS} × ${WINDOW} in flight)`,
          xLabel: 's since phase start',
          yLabel: 'msg/s',
          series: [shift(ingestSat.run.series, 'ingest'), shift(mosqSat.run.series, 'Mosquitto')],
        },
        {
          kind: 'percentile',
          title: `PUBACK latency at ${rate} msg/s (from intended send time)`,
          yLabel: 'ms',
          curves: [
            { name: 'ingest', points: ingestLat.run.done.curve },
            { name: 'Mosquitto', points: mosqLat.run.done.curve },
          ],
        },
      ],
      notes: [
        'Mosquitto does strictly less work per message (no token check per connection, no schema validation, no Kafka write ' +
          'before PUBACK): the ratio is the price of "acknowledged only after Kafka", not a like-for-like broker race.',
        `The generator is a hand-written MQTT 3.1.1 client (pre-encoded PUBLISH, PUBACK parsed by hand) on its own core; ` +
          'when its CPU figure nears 1 core the Mosquitto figure is a lower bound.',
      ],
    };
  },
};
