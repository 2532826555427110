#!/usr/bin/env node
import { examine, fetchTrace, firingAlerts, recentTraces, renderDoctor, renderTrace } from '@wattstream/observability';
import { describeConfig, isWattstreamError, loadConfig } from '@wattstream/platform';
import { Command } from 'commander';
import { launcherConfig } from './config.js';
import { PIPELINE_ENV, Pipeline, type PipelineHandoff, type ServiceStatus, SIM_EDGE_ID } from './pipeline.js';
import { Supervisor } from './supervisor.js';

/**
 * `pnpm pipeline up|down|status`: the whole wattstream pipeline on this machine with a simulated
 * fleet. Progress on stderr; `up` ends with the dashboard URL.
 */
const log = (msg: string) => process.stderr.write(`pipeline: ${msg}\n`);
const pipeline = () => new Pipeline(loadConfig(launcherConfig), log);

/** One line per service: name, state, pid, restarts by the supervisor, address. */
const statusLine = (s: ServiceStatus) =>
  `${s.name.padEnd(14)} ${s.state.padEnd(13)} pid ${String(s.pid ?? '-').padEnd(8)} restarts ${String(s.restarts).padEnd(3)} ${s.url}`;

async function printSupervisor(p: Pipeline, out: (line: string) => void): Promise<void> {
  const pid = p.supervisor.runningPid();
  out(
    `${'supervisor'.padEnd(14)} ${(pid ? 'running' : 'stopped').padEnd(13)} pid ${pid ?? '-'}  log ${p.supervisor.logFile}`,
  );
}

const program = new Command('pipeline')
  .description(
    'Run the whole pipeline locally: Kafka, QuestDB, ingest, sink, stream worker, live server, simulated fleet.',
  )
  .addHelpText('after', `\nEnvironment:\n${describeConfig(launcherConfig)}\n`);

program
  .command('up')
  .description('start everything that is not running yet (idempotent) and print the dashboard URL')
  .option(
    '--observe',
    'also start Prometheus scraping every service, with the alert rules of observability/, and Zipkin receiving their traces',
    false,
  )
  .action(async (opts: { observe: boolean }) => {
    const p = pipeline();
    const info = await p.up({ trace: opts.observe });
    const prometheus = opts.observe ? await p.observer.up() : undefined;
    for (const s of await p.status()) log(statusLine(s));
    await printSupervisor(p, log);
    process.stdout.write(
      [
        '',
        `Gateway:         ${info.gatewayUrl}  (every API under /<service>/v1/…; OpenAPI ${info.gatewayUrl}/openapi.json, docs ${info.gatewayUrl}/docs)`,
        `Live dashboard:  ${info.gatewayDashboardUrl}`,
        `                 sign in as coach@fleet.wattstream.local (or sim-0001@fleet.wattstream.local …), password SIM_PASSWORD`,
        `                 without the gateway, with a development token: ${info.dashboardUrl}`,
        `Sessions:        ${info.webUrl}`,
        `Users:           ${info.usersUrl}  (register: POST /v1/auth/register, or through the gateway: /users/v1/auth/register)`,

        `E-mail:          ${info.mailbox}/new  (every message the notifications service sends, one file each)`,
        `MQTT for edges:  ${info.mqttUrl}  (mint a password: pnpm ingest token --edge <id> --athlete <id>)`,
        `Kafka / QuestDB: KAFKA_BROKERS=${info.env.KAFKA_BROKERS}  QUESTDB_HTTP=${info.env.QUESTDB_HTTP}`,
        `Simulated fleet: ${info.athletes.length} athletes on edge "${SIM_EDGE_ID}"`,
        ...(prometheus
          ? [
              `Prometheus: ${prometheus}  (targets ${prometheus}/targets, rules ${prometheus}/rules, alerts ${prometheus}/alerts)`,
              `Zipkin: ${p.observer.zipkin.url}/zipkin/  (traces of ${p.cfg.observeTraceRatio * 100} % of the fleet's batches, edge to live frame; API ${p.observer.zipkin.url}/api/v2/traces)`,
            ]
          : []),
        `Logs:            ${p.runDir}/<service>/<service>.log`,
        'Stop:            pnpm pipeline down   (add --infra to stop Kafka, QuestDB, PostgreSQL and Redis too)',
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
  .description(
    'show each service: state (ready, reconnecting, not ready, stopped), pid, restarts, address; exit code 3 when not all are ready',
  )
  .action(async () => {
    const p = pipeline();
    const status = await p.status();
    const out = (line: string) => process.stdout.write(`${line}\n`);
    for (const s of status) out(statusLine(s));
    await printSupervisor(p, out);
    const info = p.info();
    if (info && status.every((s) => s.ready)) process.stdout.write(`\nLive dashboard: ${info.dashboardUrl}\n`);
    if (!status.every((s) => s.ready)) process.exitCode = 3;
  });

program
  .command('doctor')
  .description(
    'ask every service for health (/readyz), lag, outbox backlog, 5xx ratio and dead letters (/metrics), plus the firing alerts when Prometheus runs; exit code 3 unless all are OK',
  )
  .option(
    '--prometheus <url>',
    'a Prometheus to read the firing alerts from (default: the one of up --observe, if running)',
  )
  .action(async (opts: { prometheus?: string }) => {
    const p = pipeline();
    const rows = await Promise.all(p.scrapeTargets().map((t) => examine({ name: t.job, address: t.target })));
    const promUrl = opts.prometheus ?? (p.observer.running() ? p.observer.url : undefined);
    const alerts = promUrl ? await firingAlerts(promUrl) : undefined;
    process.stdout.write(renderDoctor(rows, alerts));
    if (!rows.every((r) => r.health === 'ok' || r.health === 'ready')) process.exitCode = 3;
  });

program
  .command('trace')
  .description(
    'print one trace from the Zipkin of up --observe as a tree (span, service, start, duration): the given one, or the newest that reached a live frame',
  )
  .argument('[traceId]', "32 hex digits, e.g. from a stats frame's traceparent")
  .option('--zipkin <url>', 'a Zipkin to read from (default: the one of up --observe)')
  .action(async (traceId: string | undefined, opts: { zipkin?: string }) => {
    const p = pipeline();
    const url = opts.zipkin ?? p.observer.zipkin.url;
    if (opts.zipkin === undefined && !p.observer.tracing()) {
      throw new Error('Zipkin is not running: start the pipeline with `pnpm pipeline up --observe` (or pass --zipkin)');
    }
    // The newest whose first hop has arrived too (each process exports its spans on its own schedule).
    const newest = async () => {
      const traces = await recentTraces(url, { limit: 20 });
      return traces.find((t) => t.some((s) => s.parentId === undefined)) ?? traces[0];
    };
    const spans = traceId ? await fetchTrace(url, traceId) : await newest();
    if (!spans?.length) {
      process.stderr.write(
        `pipeline: ${traceId ? `no trace ${traceId}` : 'no trace reached a live frame yet'} at ${url}\n`,
      );
      process.exitCode = 3;
      return;
    }
    process.stdout.write(renderTrace(spans));
  });

program
  .command('supervise', { hidden: true })
  .description('(started by up) restart crashed services until SIGTERM')
  .action(async () => {
    const handoff = JSON.parse(process.env[PIPELINE_ENV] ?? 'null') as PipelineHandoff | null;
    if (handoff === null) throw new Error(`${PIPELINE_ENV} is not set: the supervisor is started by \`pipeline up\``);
    const stamp = (msg: string) => process.stdout.write(`${new Date().toISOString()} ${msg}\n`);
    const p = new Pipeline(handoff.cfg, stamp, handoff.infraEnv, handoff.serviceEnv);
    const stop = new AbortController();
    for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => stop.abort());
    await new Supervisor(p, p.supervisorState, stamp).run(stop.signal);
    stamp('supervisor stopped');
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`pipeline: ${isWattstreamError(err) ? `error ${err.code}: ` : ''}${(err as Error).message}\n`);
  process.exitCode = 1;
});
