/**
 * Child process: fills a topic with `tracking.metrics.received` records as ingest writes them
 * (key athleteId, MetricsReceived value, LZ4), every row unique (athlete, device, ts), for
 * consumers that are measured draining a backlog. The lines are generated here and piped into
 * Kafka's own ConsoleProducer, which encodes and compresses several times faster than kafkajs.
 *
 * IPC: parent → `{type:'config', …}`; child → `done`.
 */
import { spawn } from 'node:child_process';
import { childMain } from '../child.js';
import { kafkaToolCommand } from '../java-tool.js';
import { samplesJson } from '../payloads.js';

export interface PrefillConfig {
  brokers: string;
  topic: string;
  records: number;
  samplesPerRecord: number;
  athletes: number;
  athletePrefix: string;
  /** epoch ms of the first sample */
  t0: number;
}

export type PrefillMsg = { type: 'done'; sent: number } | { type: 'error'; message: string };

childMain(async () => {
  const cfg = await new Promise<PrefillConfig>((resolve) =>
    process.once('message', (m: { config: PrefillConfig }) => resolve(m.config)),
  );
  const [java0, ...argv] = await kafkaToolCommand(
    'org.apache.kafka.tools.ConsoleProducer',
    [
      '--bootstrap-server',
      cfg.brokers,
      '--topic',
      cfg.topic,
      '--property',
      'parse.key=true',
      '--property',
      'key.separator=\t',
      '--producer-property',
      'compression.type=lz4',
      '--producer-property',
      'linger.ms=20',
      '--producer-property',
      'batch.size=1048576',
      '--producer-property',
      'acks=1',
      '--producer-property',
      'max.request.size=8388608',
    ],
    '512m',
  );
  const java = spawn(java0, argv, { stdio: ['pipe', 'ignore', 'inherit'] });
  const exited = new Promise<number>((resolve, reject) => {
    java.once('error', reject);
    java.once('exit', (code) => resolve(code ?? 1));
  });
  const n = cfg.samplesPerRecord;
  const stepMs = 250;
  let chunk = '';
  for (let i = 0; i < cfg.records; i++) {
    const a = i % cfg.athletes;
    const seq = Math.floor(i / cfg.athletes);
    const athleteId = `${cfg.athletePrefix}${a}`;
    const tsNewest = cfg.t0 + ((seq + 1) * n - 1) * stepMs;
    chunk += `${athleteId}\t{"athleteId":"${athleteId}","deviceId":"${athleteId}-pm","edgeId":"bench-edge","seq":${seq},"samples":${samplesJson(i, n, stepMs, tsNewest)}}\n`;
    if (chunk.length > 1 << 20 || i === cfg.records - 1) {
      if (!java.stdin.write(chunk)) await new Promise((r) => java.stdin.once('drain', r));
      chunk = '';
    }
  }
  java.stdin.end();
  const code = await exited;
  if (code !== 0) throw new Error(`ConsoleProducer exited with ${code}`);
  process.send?.({ type: 'done', sent: cfg.records });
});
