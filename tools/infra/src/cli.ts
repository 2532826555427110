#!/usr/bin/env node
import { isWattstreamError } from '@wattstream/platform';
import { Command, InvalidArgumentError } from 'commander';
import { serveMail } from './mail-serve.js';
import { infraDir } from './paths.js';
import { Stack, type StackPorts, stackPortsConfig, stackPortsFromEnv } from './stack.js';

/**
 * `pnpm infra up|down|status`: real Kafka, QuestDB, PostgreSQL and Redis on loopback, without Docker.
 * Progress goes to stderr; `up` prints only `KEY=value` lines on stdout, so
 * `eval "$(pnpm --silent infra up)"` exports the connection settings.
 */
const quietByPnpm = process.env.npm_config_reporter === 'silent';

const parsePort = (v: string) => {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || n > 65535) throw new InvalidArgumentError('must be a TCP port (1–65535)');
  return n;
};

const PORT_OPTIONS: [keyof StackPorts, string][] = [
  ['kafka', '--kafka-port <port>'],
  ['kafkaController', '--kafka-controller-port <port>'],
  ['questdbHttp', '--questdb-http-port <port>'],
  ['questdbPg', '--questdb-pg-port <port>'],
  ['questdbIlpTcp', '--questdb-ilp-port <port>'],
  ['questdbHttpMin', '--questdb-health-port <port>'],
  ['postgres', '--postgres-port <port>'],
  ['redis', '--redis-port <port>'],
];

function withStackOptions(cmd: Command): Command {
  cmd.option('--dir <path>', 'data, logs and pid files (env INFRA_DIR)', infraDir());
  const fromEnv = portsFromEnv;
  for (const [key, flag] of PORT_OPTIONS) {
    cmd.option(flag, `port (env ${stackPortsConfig[key].env})`, parsePort, fromEnv[key]);
  }
  return cmd.option('-q, --quiet', 'no progress on stderr', false);
}

function stackFrom(opts: Record<string, unknown>): Stack {
  const ports = Object.fromEntries(
    PORT_OPTIONS.map(([key, flag]) => {
      const camel = flag
        .slice(2)
        .split(' ')[0]!
        .replace(/-(\w)/g, (_, c: string) => c.toUpperCase());
      return [key, opts[camel] as number];
    }),
  ) as unknown as StackPorts;
  const quiet = opts.quiet === true || quietByPnpm;
  return new Stack({
    dir: opts.dir as string,
    ports,
    log: quiet ? () => {} : (msg) => process.stderr.write(`infra: ${msg}\n`),
  });
}

let portsFromEnv: StackPorts;
try {
  portsFromEnv = stackPortsFromEnv();
} catch (err) {
  fail(err);
  process.exit();
}

const program = new Command('infra')
  .description(
    "Run real Kafka 4 (KRaft) and QuestDB (Maven Central jars), PostgreSQL and Redis (the machine's packages) on 127.0.0.1, no Docker.",
  )
  .showHelpAfterError();

withStackOptions(program.command('up'))
  .description(
    'download (once), start and wait until Kafka, QuestDB, PostgreSQL and Redis serve; print KEY=value settings',
  )
  .action(async (opts: Record<string, unknown>) => {
    const stack = stackFrom(opts);
    const started = Date.now();
    const env = await stack.up();
    for (const [k, v] of Object.entries(env)) process.stdout.write(`${k}=${v}\n`);
    if (!(opts.quiet === true || quietByPnpm)) {
      process.stderr.write(
        `infra: ready in ${((Date.now() - started) / 1000).toFixed(1)} s; data in ${opts.dir as string}\n`,
      );
    }
  });

withStackOptions(program.command('down'))
  .description('stop what `up` started (SIGTERM, SIGINT for PostgreSQL; SIGKILL after a grace period)')
  .action(async (opts: Record<string, unknown>) => {
    const stopped = await stackFrom(opts).down();
    for (const [name, was] of Object.entries(stopped)) {
      process.stdout.write(`${name}: ${was ? 'stopped' : 'was not running'}\n`);
    }
  });

withStackOptions(program.command('status'))
  .description('show whether Kafka, QuestDB, PostgreSQL and Redis run and serve; exit code 3 when not all serve')
  .option('--json', 'machine-readable output', false)
  .action(async (opts: Record<string, unknown>) => {
    const status = await stackFrom(opts).status();
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
    } else {
      for (const s of status) {
        const state = s.serving ? 'serving' : s.running ? 'running, not serving' : 'stopped';
        process.stdout.write(
          `${s.name.padEnd(8)} ${s.version.padEnd(7)} ${state.padEnd(21)} ${s.address}${s.pid ? `  pid ${s.pid}` : ''}\n`,
        );
        if (s.detail) process.stdout.write(`         ${s.detail}\n`);
        if (s.running) process.stdout.write(`         log: ${s.log}\n`);
      }
    }
    if (!status.every((s) => s.serving)) process.exitCode = 3;
  });

program
  .command('mail')
  .description(
    'a local SMTP server delivering into a Maildir (the main job\u2019s mailbox); /readyz on --http-port; runs until SIGTERM',
  )
  .requiredOption('--port <port>', 'SMTP port on 127.0.0.1', parsePort)
  .requiredOption('--http-port <port>', 'port of /readyz and /healthz', parsePort)
  .requiredOption('--dir <path>', 'folder of the mailbox (`<dir>/Maildir`)')
  .action(async (opts: { port: number; httpPort: number; dir: string }) => {
    await serveMail({ ...opts, log: (msg) => process.stderr.write(`infra: ${msg}\n`) });
  });

function fail(err: unknown): void {
  if (isWattstreamError(err)) {
    process.stderr.write(`infra: error ${err.code}: ${err.message}\n`);
  } else {
    process.stderr.write(`infra: ${(err as Error).stack ?? String(err)}\n`);
  }
  process.exitCode = 1;
}

program.parseAsync(process.argv).catch(fail);
