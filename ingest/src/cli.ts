#!/usr/bin/env node
import { addServiceCommands, Command, runCli } from '@wattstream/kernel';
import { createLogger, describeConfig, loadConfig } from '@wattstream/platform';
import { ingestService } from './serve.js';
import { sinkService } from './sink/sink.js';
import { mintEdgeToken, tokenConfig } from './token.js';

const program = new Command('ingest').description(
  'wattstream ingest: MQTT edge endpoint → validated batches into Kafka (acknowledged only after Kafka) → QuestDB sink',
);
addServiceCommands(program, ingestService, { serve: 'serve', dlq: false });
addServiceCommands(program, sinkService, { serve: 'sink', prefix: 'sink', dlq: false });

program
  .command('token')
  .description('mint a development edge token (MQTT password): sub = edgeId, athletes = who it may publish for')
  .requiredOption('--edge <id>', 'edge id (the MQTT username)')
  .option(
    '--athlete <id>',
    'athlete the edge may publish for (repeat for more)',
    (v: string, acc: string[]) => [...acc, v],
    [],
  )
  .option('--ttl <duration>', 'lifetime, e.g. 30d, 12h', '30d')
  .addHelpText('after', `\nEnvironment:\n${describeConfig(tokenConfig)}`)
  .action(async (opts: { edge: string; athlete: string[]; ttl: string }) => {
    const cfg = loadConfig(tokenConfig);
    const logger = createLogger('ingest', process.env.LOG_LEVEL ?? 'warn', {}, process.stderr);
    const token = await mintEdgeToken(cfg, { edge: opts.edge, athletes: opts.athlete, ttl: opts.ttl }, logger);
    process.stdout.write(`${token}\n`);
  });

await runCli(program);
