/**
 * Child process: a bare kafkajs consumer (the platform's consumer defaults, read_committed like
 * the stream worker) reading a topic from the beginning, counting records — and with `parse`,
 * also `JSON.parse`-ing each value and nothing else. The reference the stream worker is compared
 * with. Reports the time at every 1 % of `expected` records.
 *
 * IPC: parent → `{type:'config', …}`; child → `progress` (`marks`: [ms since join, records]), `done`.
 */
import { randomUUID } from 'node:crypto';
import { createConsumer, createKafka, createLogger } from '@wattstream/platform';
import { childMain } from '../child.js';

export interface BareConsumerConfig {
  brokers: string;
  topic: string;
  expected: number;
  parse: boolean;
}

export type BareConsumerMsg =
  | { type: 'done'; marks: [number, number][]; records: number; cpuSeconds: number }
  | { type: 'error'; message: string };

childMain(async () => {
  const cfg = await new Promise<BareConsumerConfig>((resolve) =>
    process.once('message', (m: { config: BareConsumerConfig }) => resolve(m.config)),
  );
  const kafka = createKafka({
    brokers: cfg.brokers.split(','),
    clientId: 'bench-bare',
    logger: createLogger('bare', 'warn'),
  });
  const consumer = createConsumer(kafka, { groupId: `bench-bare-${randomUUID()}`, readUncommitted: false });
  await consumer.connect();
  await consumer.subscribe({ topic: cfg.topic, fromBeginning: true });
  let seen = 0;
  let sink = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const marks: [number, number][] = [[0, 0]];
  const step = Math.max(1, Math.floor(cfg.expected / 100));
  let nextMark = step;
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          if (cfg.parse && m.value) sink += (JSON.parse(m.value.toString('utf8')) as { seq: number }).seq;
          else sink += m.value?.length ?? 0;
        }
        seen += batch.messages.length;
        while (seen >= nextMark) {
          marks.push([performance.now() - t0, seen]);
          nextMark += step;
        }
        if (seen >= cfg.expected) resolve();
      },
    });
  });
  const cpu = process.cpuUsage(cpu0);
  if (sink < 0) throw new Error('unreachable');
  process.send?.({ type: 'done', marks, records: seen, cpuSeconds: (cpu.user + cpu.system) / 1e6 });
  await consumer.disconnect();
  process.exit(0);
});
