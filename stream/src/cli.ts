#!/usr/bin/env node
import { isValidId, LIVE_ROLES, type LiveRole } from '@wattstream/contracts';
import {
  createLogger,
  createShutdown,
  describeConfig,
  isWattstreamError,
  loadConfig,
  loadTokenKeys,
  parseDuration,
} from '@wattstream/platform';
import { Command, InvalidArgumentError, Option } from 'commander';
import { liveConfigSpec, tokenConfigSpec, workerConfigSpec } from './config.js';
import { startLiveServer } from './live/server.js';
import { mintUserToken } from './token.js';
import { startWorker } from './worker.js';

const program = new Command('stream').description(
  'wattstream stream processor (per-athlete live metrics and sessions) and live WebSocket server',
);

function fail(err: unknown): never {
  if (isWattstreamError(err)) process.stderr.write(`error ${err.code}: ${err.message}\n`);
  else process.stderr.write(`error: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
}

program
  .command('work')
  .description('run a stream worker (consumer group on tracking.metrics.received)')
  .addHelpText('after', `\nConfiguration (environment):\n${describeConfig(workerConfigSpec)}`)
  .action(async () => {
    try {
      const cfg = loadConfig(workerConfigSpec);
      const logger = createLogger('stream-worker', cfg.logLevel);
      const shutdown = createShutdown(logger, { timeoutMs: 30_000 });
      const worker = await startWorker(cfg, logger);
      shutdown.add('intake', 'worker', () => worker.stop());
    } catch (err) {
      fail(err);
    }
  });

program
  .command('live')
  .description('run a live server (WebSocket /v1/live, groups API, dashboard)')
  .addHelpText('after', `\nConfiguration (environment):\n${describeConfig(liveConfigSpec)}`)
  .action(async () => {
    try {
      const cfg = loadConfig(liveConfigSpec);
      const logger = createLogger('stream-live', cfg.logLevel);
      const server = await startLiveServer(cfg, logger);
      const shutdown = createShutdown(logger, { timeoutMs: 15_000 });
      shutdown.add('intake', 'live', () => server.stop());
    } catch (err) {
      fail(err);
    }
  });

const collectIds = (what: string) => (v: string, prev: string[]) => {
  if (!isValidId(v)) throw new InvalidArgumentError(`${what} must be 1–64 chars of [A-Za-z0-9_-]`);
  return [...prev, v];
};
const collectRoles = (v: string, prev: LiveRole[]) => {
  if (!(LIVE_ROLES as readonly string[]).includes(v)) {
    throw new InvalidArgumentError(`one of ${LIVE_ROLES.join(', ')}`);
  }
  return [...prev, v as LiveRole];
};
program
  .command('token')
  .description('mint a user token for the live server (until the users service exists)')
  .requiredOption('--user <id>', 'user / athlete id (sub)', (v: string) => {
    if (!isValidId(v)) throw new InvalidArgumentError('1–64 chars of [A-Za-z0-9_-]');
    return v;
  })
  .addOption(
    new Option('--role <role>', `role (${LIVE_ROLES.join(', ')}); repeat for several`)
      .argParser(collectRoles)
      .default([]),
  )
  .option('--watch <athleteId>', 'athlete this user may follow; repeat for several', collectIds('--watch'), [])
  .option(
    '--ttl <duration>',
    'lifetime, e.g. 30m, 12h',
    (v) => {
      const ms = parseDuration(v);
      if (ms === undefined || ms <= 0) throw new InvalidArgumentError('a duration such as 30m or 12h');
      return ms;
    },
    12 * 3_600_000,
  )
  .action(async (opts: { user: string; role: LiveRole[]; watch: string[]; ttl: number }) => {
    try {
      const cfg = loadConfig(tokenConfigSpec);
      const logger = createLogger('stream-token', 'warn', {}, process.stderr);
      const keys = loadTokenKeys(cfg, cfg.dataDir, logger);
      const roles = opts.role.length > 0 ? opts.role : (['athlete'] as LiveRole[]);
      process.stdout.write(
        `${await mintUserToken(keys, { user: opts.user, roles, watch: opts.watch, ttlMs: opts.ttl })}\n`,
      );
    } catch (err) {
      fail(err);
    }
  });

await program.parseAsync(process.argv);
