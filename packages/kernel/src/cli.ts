import { type ConfigSpec, describeConfig, isWattstreamError } from '@wattstream/platform';
import { Command } from 'commander';
import { KernelErrorCode, kernelError } from './errors.js';
import { type DeadLetterEntry, listDeadLetters, replayDeadLetters } from './events/dlq-admin.js';
import { type ServiceDefinition, serviceConfigSpec, startService } from './service.js';

/** The one format every wattstream CLI prints a failure in: `error <CODE>: <message>`. */
export function formatCliError(err: unknown): string {
  if (isWattstreamError(err)) return `error ${err.code}: ${err.message}`;
  return `error ${KernelErrorCode.Internal}: ${(err as Error)?.stack ?? String(err)}`;
}

/** Parses argv and runs the command; a failure prints `formatCliError` and exits 1. */
export async function runCli(program: Command, argv = process.argv): Promise<void> {
  program.exitOverride((e) => {
    process.exit(e.exitCode);
  });
  try {
    await program.parseAsync(argv);
  } catch (err) {
    process.stderr.write(`${formatCliError(err)}\n`);
    process.exit(1);
  }
}

/**
 * Adds a service's commands to a CLI: `<serve>` runs it; with a database, `migrate` applies its
 * migrations and exits; with consumers, `dlq list|replay --topic <t>` shows and re-drives its dead
 * letters; `openapi` prints its OpenAPI document. `--help` lists every setting with its default.
 */
export function addServiceCommands<S extends ConfigSpec, R>(
  program: Command,
  def: ServiceDefinition<S, R>,
  opts: { serve?: string; prefix?: string; dlq?: boolean } = {},
): Command {
  const settings = `\nConfiguration (environment):\n${describeConfig(serviceConfigSpec(def as unknown as ServiceDefinition))}`;
  const name = (n: string) => (opts.prefix ? `${opts.prefix}-${n}` : n);
  program
    .command(opts.serve ?? 'serve')
    .description(`run ${def.name}: ${def.description}`)
    .addHelpText('after', settings)
    .action(async () => {
      await startService(def, { signals: true });
    });
  if (def.postgres) {
    program
      .command(name('migrate'))
      .description(`apply ${def.name}'s database migrations and exit`)
      .action(async () => {
        const svc = await startService(def, { mode: 'tool' });
        await svc.stop('migrated');
        process.stdout.write('migrations applied\n');
      });
  }
  if (def.kafka && opts.dlq !== false) {
    const dlq = program.command(name('dlq')).description(`${def.name}'s dead letters (<topic>.dlq)`);
    dlq
      .command('list')
      .requiredOption('--topic <topic>', 'the consumed topic whose dead letters to show')
      .option('--json', 'one JSON object per line')
      .action(async (o: { topic: string; json?: boolean }) => {
        const svc = await startService(def, { mode: 'tool' });
        try {
          const group = groupFor(svc.consumerGroups, o.topic, def.name);
          const entries = await listDeadLetters(svc.ctx.kafka.client, o.topic, svc.ctx.logger, {
            group: group.group,
            ...(def.postgres ? { pool: svc.ctx.db } : {}),
          });
          process.stdout.write(o.json ? entries.map((e) => JSON.stringify(e)).join('\n') + '\n' : table(entries));
        } finally {
          await svc.stop('done');
        }
      });
    dlq
      .command('replay')
      .requiredOption('--topic <topic>', 'the consumed topic whose dead letters to re-drive')
      .option('--id <ceId...>', 'only these events (ce_id); default: all of this service’s')
      .action(async (o: { topic: string; id?: string[] }) => {
        const svc = await startService(def, { mode: 'tool' });
        try {
          const group = groupFor(svc.consumerGroups, o.topic, def.name);
          const summary = await replayDeadLetters(group, svc.ctx.kafka.client, o.topic, svc.ctx.logger, {
            ...(o.id ? { ids: o.id } : {}),
          });
          process.stdout.write(`${JSON.stringify(summary)}\n`);
        } finally {
          await svc.stop('done');
        }
      });
  }
  program
    .command(name('openapi'))
    .description(`print ${def.name}'s OpenAPI 3.1 document`)
    .action(async () => {
      const svc = await startService(def, { mode: 'tool' });
      try {
        process.stdout.write(`${JSON.stringify(svc.http.swagger(), null, 2)}\n`);
      } finally {
        await svc.stop('done');
      }
    });
  return program;
}

function groupFor<G extends { group: string; topics: string[] }>(groups: G[], topic: string, service: string): G {
  const g = groups.find((x) => x.topics.includes(topic));
  if (!g) {
    const known = groups.flatMap((x) => x.topics);
    throw kernelError(
      KernelErrorCode.DlqUnknownTopic,
      `${service} consumes no topic ${topic}; it consumes: ${known.join(', ') || 'nothing'}`,
    );
  }
  return g;
}

function table(entries: DeadLetterEntry[]): string {
  if (entries.length === 0) return 'no dead letters\n';
  const rows = entries.map((e) =>
    [
      e.failedAt ?? '',
      e.ceId ?? '',
      e.code ?? '',
      `${e.topic}/${e.partition}@${e.offset}`,
      String(e.attempts),
      e.handled ? 'yes' : 'no',
      (e.reason ?? '').slice(0, 80),
    ].join('  '),
  );
  return `${['failed at', 'ce_id', 'code', 'origin', 'attempts', 'handled since', 'reason'].join('  ')}\n${rows.join('\n')}\n`;
}

export { Command };
