// Runs the stream benchmarks and prints their figures as JSON lines. Indicative only on a shared
// machine. Usage: pnpm --filter @wattstream/stream bench [fanout|state|worker] …
import { benchFanout } from './fanout.js';

const which = process.argv[2] ?? 'all';
const print = (name: string, r: unknown) => console.log(JSON.stringify({ bench: name, ...(r as object) }));

if (which === 'fanout' || which === 'all') {
  const subscribers = Number(process.env.BENCH_SUBSCRIBERS ?? 10_000);
  const frameBytes = Number(process.env.BENCH_FRAME_BYTES ?? 200);
  const durationMs = Number(process.env.BENCH_DURATION_MS ?? 5000);
  const channelsPerSubscriber = Number(process.env.BENCH_CHANNELS_PER_SUBSCRIBER ?? 10);
  const channels = Number(process.env.BENCH_CHANNELS ?? 1000);
  for (const transport of ['uws', 'ws'] as const) {
    if (process.env.BENCH_TRANSPORT && process.env.BENCH_TRANSPORT !== transport) continue;
    print(
      'fanout',
      await benchFanout({ transport, subscribers, frameBytes, durationMs, channelsPerSubscriber, channels }),
    );
  }
}

if (which === 'state' || which === 'all') {
  const { benchStateSize } = await import('./state-size.js');
  print('state-size', benchStateSize({ athletes: Number(process.env.BENCH_ATHLETES ?? 5000) }));
}

if (which === 'worker' || which === 'all') {
  const { benchWorkerThroughput } = await import('./worker-throughput.js');
  const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');
  print(
    'worker-throughput',
    await benchWorkerThroughput({
      brokers,
      records: Number(process.env.BENCH_RECORDS ?? 100_000),
      samplesPerRecord: Number(process.env.BENCH_SAMPLES_PER_RECORD ?? 10),
      athletes: Number(process.env.BENCH_ATHLETES ?? 1000),
    }),
  );
}

if (which === 'latency' || which === 'all') {
  const { benchLatency } = await import('./latency.js');
  const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(',');
  print(
    'latency',
    await benchLatency({
      brokers,
      samplesPerSec: Number(process.env.BENCH_SAMPLES_PER_SEC ?? 10_000),
      athletes: Number(process.env.BENCH_ATHLETES ?? 200),
      durationMs: Number(process.env.BENCH_DURATION_MS ?? 10_000),
    }),
  );
}
