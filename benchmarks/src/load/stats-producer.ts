/**
 * Child process: writes `tracking.stats.updated` records (key athleteId, a StatsUpdated value
 * with every live metric) for `athletes` athletes at `hz` per athlete, as a stream worker would,
 * until told to exit. Load for profiling the live server on its own.
 *
 * IPC: parent → `config`, `exit`; child → `running`.
 */
import { createKafka, createLogger, createProducer } from '@wattstream/platform';
import { childMain } from '../child.js';

export interface StatsProducerConfig {
  brokers: string;
  topic: string;
  athletes: string[];
  hz: number;
}

childMain(async () => {
  process.on('message', (m: { type: string }) => {
    if (m.type === 'exit') process.exit(0);
  });
  const cfg = await new Promise<StatsProducerConfig>((resolve) =>
    process.once('message', (m: { config: StatsProducerConfig }) => resolve(m.config)),
  );
  const kafka = createKafka({
    brokers: cfg.brokers.split(','),
    clientId: 'bench-stats',
    logger: createLogger('stats', 'warn'),
  });
  const producer = createProducer(kafka);
  await producer.connect();
  const seq = new Map<string, number>();
  const t0 = Date.now();
  process.send?.({ type: 'running' });
  for (let tick = 0; ; tick++) {
    const now = Date.now();
    const messages = cfg.athletes.map((athleteId, i) => {
      const s = (seq.get(athleteId) ?? 0) + 1;
      seq.set(athleteId, s);
      const power = 180 + ((s * 7 + i) % 120);
      return {
        key: athleteId,
        value: JSON.stringify({
          athleteId,
          sessionId: `${athleteId}:${t0}`,
          seq: s,
          ts: now,
          profileSource: 'default',
          metrics: {
            power,
            power3s: power - 3,
            power10s: power - 5,
            power30s: power - 8,
            avgPower: 201.4,
            maxPower: 512,
            normalizedPower: 214.9,
            intensity: 1.07,
            load: 35.2,
            kj: 250.3,
            hr: 150,
            avgHr: 141,
            maxHr: 171,
            hrZone: 3,
            powerZone: 4,
            timeInPowerZones: [60, 120, 300, 240, 60, 10, 2],
            wbal: 15320,
            cadence: 91,
            speed: 10.2,
            distance: 12_345.6,
            elapsedS: (now - t0) / 1000,
            movingS: (now - t0) / 1000,
          },
        }),
      };
    });
    await producer.send({ topic: cfg.topic, acks: 1, messages });
    const wait = t0 + ((tick + 1) * 1000) / cfg.hz - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
});
