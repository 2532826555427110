#!/usr/bin/env node
import { createLogger, createShutdown, describeConfig, isWattstreamError, loadConfig } from '@wattstream/platform';
import { Command } from 'commander';
import { serveConfig, sinkConfig } from './config.js';
import { startIngest } from './serve.js';
import { startSink } from './sink/sink.js';
import { mintEdgeToken, tokenConfig } from './token.js';

const program = new Command('ingest').description(
  'wattstream ingest: MQTT edge endpoint → validated batches into Kafka (acknowledged only after Kafka) → QuestDB sink',
);

program
  .command('serve')
  .description('run the MQTT endpoint (embedded aedes, or shared-subscription mode)')
  .addHelpText('after', `\nEnvironment:\n${describeConfig(serveConfig)}`)
  .action(async () => {
    const config = loadConfig(serveConfig);
    const logger = createLogger('ingest', config.logLevel);
    const shutdown = createShutdown(logger);
    const ingest = await startIngest(config, { logger });
    shutdown.add('intake', 'ingest: stop intake, flush Kafka writes, close', () => ingest.close());
    logger.info({ ports: ingest.ports, mode: config.mode }, 'ingest ready');
  });

program
  .command('sink')
  .description('run the QuestDB sink (consumer group on tracking.metrics.received)')
  .addHelpText('after', `\nEnvironment:\n${describeConfig(sinkConfig)}`)
  .action(async () => {
    const config = loadConfig(sinkConfig);
    const logger = createLogger('ingest-sink', config.logLevel);
    const shutdown = createShutdown(logger);
    const sink = await startSink(config, { logger });
    shutdown.add('intake', 'sink: stop consuming, close', () => sink.close());
    logger.info({ http: sink.ops.port }, 'sink ready');
  });

program
  .command('token')
  .description('mint an edge token (MQTT password): sub = edgeId, athletes = who it may publish for')
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

program.parseAsync(process.argv).catch((err: unknown) => {
  if (isWattstreamError(err)) process.stderr.write(`${err.code}: ${err.message}\n`);
  else process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
