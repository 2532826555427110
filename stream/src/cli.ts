#!/usr/bin/env node
import { isValidId, LIVE_ROLES, type LiveRole } from '@wattstream/contracts';
import { addServiceCommands, runCli } from '@wattstream/kernel';
import { createLogger, loadConfig, loadTokenKeys, parseDuration } from '@wattstream/platform';
import { Command, InvalidArgumentError, Option } from 'commander';
import { tokenConfigSpec } from './config.js';
import { liveService } from './live/server.js';
import { mintUserToken } from './token.js';
import { workerService } from './worker.js';

const program = new Command('stream').description(
  'wattstream stream processor (per-athlete live metrics and sessions) and live WebSocket server',
);

addServiceCommands(program, workerService, { serve: 'work', dlq: false });
addServiceCommands(program, liveService, { serve: 'live', prefix: 'live', dlq: false });

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
  .description('mint a development user token for the live server (real users log in at the users service)')
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
    const cfg = loadConfig(tokenConfigSpec);
    const logger = createLogger('stream-token', 'warn', {}, process.stderr);
    const keys = loadTokenKeys(cfg, cfg.dataDir, logger);
    const roles = opts.role.length > 0 ? opts.role : (['athlete'] as LiveRole[]);
    process.stdout.write(
      `${await mintUserToken(keys, { user: opts.user, roles, watch: opts.watch, ttlMs: opts.ttl })}\n`,
    );
  });

await runCli(program);
