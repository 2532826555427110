#!/usr/bin/env node
import { describeConfig, isWattstreamError, loadConfig } from '@wattstream/platform';
import { Command } from 'commander';
import { launcherConfig } from './config.js';
import { Pipeline, SIM_EDGE_ID } from './pipeline.js';

/**
 * `pnpm pipeline up|down|status`: the whole wattstream pipeline on this machine with a simulated
 * fleet. Progress on stderr; `up` ends with the dashboard URL.
 */
const log = (msg: string) => process.stderr.write(`pipeline: ${msg}\n`);
const pipeline = () => new Pipeline(loadConfig(launcherConfig), log);

const program = new Command('pipeline')
  .description(
    'Run the whole pipeline locally: Kafka, QuestDB, ingest, sink, stream worker, live server, simulated fleet.',
  )
  .addHelpText('after', `\nEnvironment:\n${describeConfig(launcherConfig)}\n`);

program
  .command('up')
  .description('start everything that is not running yet (idempotent) and print the dashboard URL')
  .action(async () => {
    const p = pipeline();
    const info = await p.up();
    const status = await p.status();
    for (const s of status)
      log(`${s.name.padEnd(14)} ${s.ready ? 'ready' : 'NOT READY'}  pid ${s.pid ?? '-'}  ${s.url}`);
    process.stdout.write(
      [
        '',
        `Live dashboard:  ${info.dashboardUrl}`,
        `MQTT for edges:  ${info.mqttUrl}  (mint a password: pnpm ingest token --edge <id> --athlete <id>)`,
        `Kafka / QuestDB: KAFKA_BROKERS=${info.env.KAFKA_BROKERS}  QUESTDB_HTTP=${info.env.QUESTDB_HTTP}`,
        `Simulated fleet: ${info.athletes.length} athletes on edge "${SIM_EDGE_ID}"`,
        `Logs:            ${p.runDir}/<service>/<service>.log`,
        'Stop:            pnpm pipeline down   (add --infra to stop Kafka and QuestDB too)',
        '',
      ].join('\n'),
    );
  });

program
  .command('down')
  .description('stop the services that up started')
  .option('--infra', 'also stop Kafka and QuestDB', false)
  .action(async (opts: { infra: boolean }) => {
    const stopped = await pipeline().down({ infra: opts.infra });
    process.stdout.write(stopped.length ? `stopped: ${stopped.join(', ')}\n` : 'nothing was running\n');
  });

program
  .command('status')
  .description('show each service: pid, readiness, address, log; exit code 3 when not all are ready')
  .action(async () => {
    const p = pipeline();
    const status = await p.status();
    for (const s of status) {
      process.stdout.write(
        `${s.name.padEnd(14)} ${(s.pid ? (s.ready ? 'ready' : 'running, not ready') : 'stopped').padEnd(19)} ${s.url}\n`,
      );
    }
    const info = p.info();
    if (info && status.every((s) => s.ready)) process.stdout.write(`\nLive dashboard: ${info.dashboardUrl}\n`);
    if (!status.every((s) => s.ready)) process.exitCode = 3;
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`pipeline: ${isWattstreamError(err) ? `error ${err.code}: ` : ''}${(err as Error).message}\n`);
  process.exitCode = 1;
});
