#!/usr/bin/env node
import { existsSync, readFileSync } from 'node:fs';
import { isValidId, isWattstreamError } from '@wattstream/contracts';
import { createLogger, createShutdown, describeConfig, isAlive, loadConfig } from '@wattstream/platform';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { AgentStatus } from './agent.js';
import { EdgeAgent } from './agent.js';
import type { AntStick } from './ant/stick.js';
import { loadAntPlus } from './ant/stick.js';
import type { Noble } from './ble/noble.js';
import { loadSystemNoble, nobleWithBindings } from './ble/noble.js';
import { type EdgeConfig, edgeConfig, edgePaths } from './config.js';
import { decodeCommand } from './decode-command.js';
import { EdgeErrorCode } from './errors.js';
import { queueDepthOnDisk } from './queue/disk-queue.js';
import { readFitFile, replay } from './replay.js';
import { type ScanResult, scanSensors } from './scan.js';
import { PairingStore, pairingFor } from './sensors/pairing.js';
import { startSimulatedEdge } from './sim/run.js';
import { Simulation } from './sim/simulation.js';
import { EDGE_VERSION } from './version.js';

/** Flags that override environment variables (flag → variable), shared by the agent commands. */
const CONFIG_FLAGS: [string, string, string][] = [
  ['--mqtt-url <url>', 'MQTT_URL', 'broker URL'],
  ['--edge-id <id>', 'EDGE_ID', 'this agent’s id'],
  ['--token <jwt>', 'EDGE_TOKEN', 'edge token (MQTT password)'],
  ['--data-dir <path>', 'DATA_DIR', 'state folder (pairings, queue)'],
  ['--http-port <port>', 'EDGE_HTTP_PORT', 'metrics/health port, 0 = any'],
  ['--flush-interval <duration>', 'EDGE_FLUSH_INTERVAL', 'batching interval, e.g. 250ms'],
  ['--queue-budget <size>', 'EDGE_QUEUE_BUDGET', 'disk budget of the queue, e.g. 512MiB'],
  ['--log-level <level>', 'LOG_LEVEL', 'pino log level'],
];

const flagKey = (flag: string) =>
  flag
    .slice(2)
    .split(' ')[0]!
    .replace(/-(\w)/g, (_, c: string) => c.toUpperCase());

/** The flags that override settings, and the settings' table at the end of --help. */
function withConfigFlags(cmd: Command): Command {
  for (const [flag, env, help] of CONFIG_FLAGS) cmd.option(flag, `${help} (env ${env})`);
  return cmd.addHelpText('after', `\nEnvironment:\n${describeConfig(edgeConfig)}`);
}

function configFrom(opts: Record<string, unknown>): EdgeConfig {
  const overrides: Record<string, string> = {};
  for (const [flag, env] of CONFIG_FLAGS) {
    const v = opts[flagKey(flag)];
    if (typeof v === 'string') overrides[env] = v;
  }
  return loadConfig(edgeConfig, process.env, overrides);
}

const positiveInt = (name: string) => (v: string) => {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1) throw new InvalidArgumentError(`${name} must be a positive integer`);
  return n;
};
const nonNegative = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${name} must be a number ≥ 0`);
  return n;
};
/** An id as topics carry it (contract v1), checked before anything starts. */
const topicId = (name: string) => (v: string) => {
  if (!isValidId(v)) throw new InvalidArgumentError(`${name} must be 1–64 characters of A-Z a-z 0-9 _ -`);
  return v;
};
const collect = (v: string, prev: string[] = []) => [...prev, v];

/** Runs an agent until SIGINT/SIGTERM (or `durationS`), with a graceful drain. */
async function runAgentUntilStopped(
  agent: EdgeAgent,
  logger: ReturnType<typeof createLogger>,
  durationS?: number,
  before?: () => void,
) {
  const shutdown = createShutdown(logger, { timeoutMs: 20_000 });
  shutdown.add('intake', 'stop-sources', () => before?.());
  shutdown.add('flush', 'agent', () => agent.stop({ drainMs: 5000 }));
  if (durationS !== undefined) {
    setTimeout(() => void shutdown.run('duration elapsed').then(() => process.exit(0)), durationS * 1000).unref();
  }
}

// `edge scan | head`: a closed pipe ends the command quietly.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

const program = new Command('edge')
  .description('wattstream edge agent: BLE and ANT+ sensors → normalized samples → MQTT with durable store-and-forward')
  .version(EDGE_VERSION)
  .showHelpAfterError();

program
  .command('scan')
  .description('list sensors around live: transport, type, id, name, RSSI, current value')
  .option('--duration <seconds>', 'how long to scan', nonNegative('--duration'), 15)
  .addOption(new Option('--transport <t>', 'which radios').choices(['ble', 'ant', 'all']).default('all'))
  .option('--connect', 'connect to each BLE sensor briefly to read its current value', false)
  .option(
    '--simulated <athletes>',
    'scan virtual sensors of n simulated athletes instead of radios',
    positiveInt('--simulated'),
  )
  .option('--json', 'one JSON object per line', false)
  .action(async (o: { duration: number; transport: string; connect: boolean; simulated?: number; json: boolean }) => {
    const logger = createLogger('edge', process.env.LOG_LEVEL ?? 'warn', {}, process.stderr);
    let noble: Noble | undefined;
    let ant: { stick: AntStick; lib: ReturnType<typeof loadAntPlus> } | undefined;
    let sim: Simulation | undefined;
    if (o.simulated) {
      sim = new Simulation({ athletes: o.simulated, seed: 1 });
      sim.start();
      if (o.transport !== 'ant') noble = nobleWithBindings(sim.binding);
      if (o.transport !== 'ble') ant = { stick: sim.stick as unknown as AntStick, lib: loadAntPlus() };
    } else {
      if (o.transport !== 'ant') {
        try {
          noble = loadSystemNoble();
        } catch (err) {
          logger.error({ code: EdgeErrorCode.BleUnavailable }, (err as Error).message);
        }
      }
      if (o.transport !== 'ble') ant = openSystemStick(logger);
    }
    if (!o.json)
      process.stdout.write(
        'transport  type                    sensor id               name                  rssi  value\n',
      );
    const print = (r: ScanResult) => {
      if (o.json) {
        process.stdout.write(`${JSON.stringify(r)}\n`);
        return;
      }
      const value = r.value
        ? Object.entries(r.value)
            .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('/') : v}`)
            .join(' ')
        : '–';
      process.stdout.write(
        `${r.transport.padEnd(10)} ${r.type.padEnd(23)} ${r.sensorId.padEnd(23)} ${(r.name ?? '').slice(0, 20).padEnd(21)} ${String(r.rssi ?? '').padStart(4)}  ${value}\n`,
      );
    };
    await scanSensors({
      ...(noble ? { noble } : {}),
      ...(ant ? { ant } : {}),
      durationMs: o.duration * 1000,
      connectBle: o.connect || Boolean(o.simulated),
      logger,
      onUpdate: print,
    });
    sim?.stop();
    process.exit(0);
  });

program
  .command('pair <sensor>')
  .description('pair a sensor (id as `edge scan` prints it) with an athlete; stored in DATA_DIR/edge/pairings.json')
  .requiredOption('--athlete <id>', 'athlete id the sensor’s samples belong to')
  .option('--name <name>', 'a label for status output')
  .option(
    '--wheel-circumference <mm>',
    'wheel circumference for speed sensors (default 2105)',
    positiveInt('--wheel-circumference'),
  )
  .option('--data-dir <path>', 'state folder (env DATA_DIR)')
  .action((sensor: string, o: { athlete: string; name?: string; wheelCircumference?: number; dataDir?: string }) => {
    const store = new PairingStore(edgePaths(configFrom(o).dataDir).pairings);
    const p = pairingFor(sensor, o.athlete, {
      ...(o.name ? { name: o.name } : {}),
      ...(o.wheelCircumference ? { wheelCircumferenceMm: o.wheelCircumference } : {}),
    });
    const { replaced } = store.upsert(p);
    if (replaced && replaced.athleteId !== p.athleteId) {
      process.stderr.write(`edge: ${sensor} was paired with ${replaced.athleteId}; now with ${p.athleteId}\n`);
    }
    process.stdout.write(`${JSON.stringify(p)}\n`);
  });

program
  .command('unpair <sensor>')
  .description('forget a paired sensor')
  .option('--data-dir <path>', 'state folder (env DATA_DIR)')
  .action((sensor: string, o: { dataDir?: string }) => {
    const store = new PairingStore(edgePaths(configFrom(o).dataDir).pairings);
    const removed = store.remove(sensor);
    if (!removed) {
      process.stderr.write(`edge: ${EdgeErrorCode.SensorNotPaired}: ${sensor} is not paired (see \`edge status\`)\n`);
      process.exit(1);
    }
    process.stdout.write(`${JSON.stringify({ unpaired: sensor, athleteId: removed.athleteId })}\n`);
  });

program
  .command('status')
  .description('paired sensors with last value, age and battery, and the outbound queue depth')
  .option('--data-dir <path>', 'state folder (env DATA_DIR)')
  .option('--json', 'print JSON', false)
  .action((o: { dataDir?: string; json: boolean }) => {
    const paths = edgePaths(configFrom(o).dataDir);
    const pairings = new PairingStore(paths.pairings).list();
    let live: AgentStatus | undefined;
    if (existsSync(paths.status)) {
      try {
        const s = JSON.parse(readFileSync(paths.status, 'utf8')) as AgentStatus;
        if (s.state === 'running' && isAlive(s.pid)) live = s;
      } catch {
        // stale or partial: fall back to the disk
      }
    }
    // The running agent knows its queue; reading it from disk could mean reading hundreds of MiB.
    const onDisk = live ? undefined : queueDepthOnDisk(paths.queue);
    const queue = live?.queue ?? { depth: onDisk?.batches ?? 0, bytes: onDisk?.bytes ?? 0 };
    const now = Date.now();
    const sensors = pairings.map((p) => {
      const s = live?.sensors.find((x) => x.sensorId === p.sensorId);
      return {
        sensorId: p.sensorId,
        athleteId: p.athleteId,
        name: p.name,
        connected: s?.connected ?? false,
        lastValue: s?.lastValue,
        ageS: s?.lastAt ? Math.round((now - s.lastAt) / 100) / 10 : undefined,
        battery: s?.batteryPercent !== undefined ? `${s.batteryPercent}%` : s?.batteryStatus,
      };
    });
    const out = {
      agent: live ? { pid: live.pid, edgeId: live.edgeId, mqtt: live.mqtt } : 'not running',
      queue,
      sensors,
    };
    if (o.json) {
      process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      return;
    }
    process.stdout.write(
      `agent: ${live ? `running (pid ${live.pid}, ${live.edgeId}, broker ${live.mqtt.connected ? 'connected' : 'DISCONNECTED'})` : 'not running'}\n`,
    );
    process.stdout.write(`queue: ${queue.depth} batches waiting, ${queue.bytes} bytes on disk\n`);
    if (sensors.length === 0)
      process.stdout.write('no sensors paired: `edge scan`, then `edge pair <sensor> --athlete <id>`\n');
    for (const s of sensors) {
      const value = s.lastValue
        ? Object.entries(s.lastValue)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')
        : '–';
      process.stdout.write(
        `${s.sensorId.padEnd(24)} ${s.athleteId.padEnd(20)} ${s.connected ? 'connected   ' : 'disconnected'} ${s.ageS !== undefined ? `${s.ageS}s ago` : ''}  battery ${s.battery ?? '–'}  ${value}\n`,
      );
    }
  });

program
  .command('decode')
  .description(
    'decode payloads and print one normalized JSON sample per payload (later ones use earlier ones as state)',
  )
  .option('--char <uuid16>', 'GATT characteristic: 2a37, 2a63, 2a5b, 2a53, 2ad2, 2a19')
  .option('--ant <deviceType>', 'ANT+ device type: 120, 11, 121, 122, 123, 17, 124')
  .requiredOption('--hex <payload>', 'payload bytes in hex (repeat for a sequence)', collect)
  .option(
    '--wheel-circumference <mm>',
    'wheel circumference for speed (default 2105)',
    positiveInt('--wheel-circumference'),
  )
  .option('--interval <ms>', 'time between payloads, for stale-counter logic', nonNegative('--interval'), 1000)
  .action((o: { char?: string; ant?: string; hex: string[]; wheelCircumference?: number; interval: number }) => {
    const { lines, exitCode } = decodeCommand(o);
    for (const l of lines) process.stdout.write(`${l}\n`);
    process.exitCode = exitCode;
  });

withConfigFlags(program.command('run'))
  .description('the agent: read paired sensors and publish their samples')
  .option('--no-ble', 'do not use Bluetooth LE')
  .option('--no-ant', 'do not use ANT+')
  .action(async (o: Record<string, unknown> & { ble: boolean; ant: boolean }) => {
    const config = configFrom(o);
    const logger = createLogger('edge', config.logLevel);
    const store = new PairingStore(edgePaths(config.dataDir).pairings);
    const pairings = store.list();
    if (pairings.length === 0) {
      logger.warn(
        'no sensors paired: run `edge scan`, then `edge pair <sensor> --athlete <id>`; publishing the queue only',
      );
    }
    let noble: Noble | undefined;
    if (o.ble && pairings.some((p) => p.transport === 'ble')) {
      try {
        noble = loadSystemNoble();
      } catch (err) {
        logger.error({ code: EdgeErrorCode.BleUnavailable }, `${(err as Error).message}; BLE sensors will not be read`);
      }
    }
    const ant = o.ant && pairings.some((p) => p.transport === 'ant') ? openSystemStick(logger) : undefined;
    const agent = new EdgeAgent({
      config,
      logger,
      pairings,
      pairingsSource: () => store.list(),
      ...(noble ? { noble } : {}),
      ...(ant ? { ant } : {}),
    });
    await agent.start();
    await runAgentUntilStopped(agent, logger);
  });

withConfigFlags(program.command('simulate'))
  .description('virtual athletes whose sensors send real GATT/ANT+ bytes through fake radios; published like `run`')
  .requiredOption('--athletes <n>', 'number of athletes', positiveInt('--athletes'))
  .option('--seed <n>', 'random seed (same seed, same athletes and traces)', positiveInt('--seed'), 1)
  .option('--hz <n>', 'power/trainer notifications per second', positiveInt('--hz'), 4)
  .addOption(new Option('--profile <p>', 'sensor mix').choices(['ble', 'ant', 'mixed']).default('mixed'))
  .option('--athlete-prefix <prefix>', 'athlete ids are <prefix>-<n>', 'sim')
  .option('--duration <seconds>', 'stop after this long (default: until Ctrl-C)', nonNegative('--duration'))
  .action(async (o: Record<string, unknown>) => {
    const config = configFrom(o);
    const logger = createLogger('edge', config.logLevel);
    const sim = await startSimulatedEdge({
      config,
      logger,
      simulation: {
        athletes: o.athletes as number,
        seed: o.seed as number,
        hz: o.hz as number,
        profile: o.profile as 'ble' | 'ant' | 'mixed',
        athletePrefix: o.athletePrefix as string,
      },
    });
    logger.info({ athletes: o.athletes, sensors: sim.simulation.pairings.length, seed: o.seed }, 'simulation running');
    await runAgentUntilStopped(sim.agent, logger, o.duration as number | undefined, () => sim.simulation.stop());
  });

withConfigFlags(program.command('replay <file>'))
  .description(
    'replay a FIT activity’s records as one athlete’s samples (timestamps rebased to now unless --original-timestamps)',
  )
  .requiredOption('--athlete <id>', 'athlete id', topicId('--athlete'))
  .option('--device <id>', 'device id in the topic', topicId('--device'), 'fit-replay')
  .option(
    '--speed <x>',
    'playback speed: 1 = original timing, 10 = 10× faster, 0 = no waiting',
    nonNegative('--speed'),
    1,
  )
  .option('--original-timestamps', 'send the file’s own timestamps instead of rebasing them to now', false)
  .action(async (file: string, o: Record<string, unknown>) => {
    const config = configFrom(o);
    const logger = createLogger('edge', config.logLevel);
    const { samples, skipped } = readFitFile(file);
    const athleteId = o.athlete as string;
    const deviceId = o.device as string;
    const agent = new EdgeAgent({ config, logger, pairings: [] });
    await agent.start();
    const abort = new AbortController();
    const shutdown = createShutdown(logger, { timeoutMs: 30_000 });
    shutdown.add('intake', 'replay', () => abort.abort());
    shutdown.add('flush', 'agent', () => agent.stop({ drainMs: 10_000 }));
    logger.info({ file, records: samples.length, skipped, speed: o.speed }, 'replaying FIT records');
    const { sent } = await replay(samples, ({ ts, ...metrics }) => agent.push(athleteId, deviceId, ts, metrics), {
      speed: o.speed as number,
      originalTimestamps: o.originalTimestamps as boolean,
      signal: abort.signal,
    });
    logger.info({ sent }, 'replay finished; draining the queue');
    await shutdown.run('replay finished');
    process.exit(0);
  });

function openSystemStick(logger: ReturnType<typeof createLogger>) {
  try {
    const lib = loadAntPlus();
    const s2 = new lib.GarminStick2() as AntStick & { is_present?: () => boolean };
    const stick = s2.is_present?.() === false ? new lib.GarminStick3() : s2;
    return { stick, lib };
  } catch (err) {
    logger.error(
      { code: EdgeErrorCode.AntNoStick, err: (err as Error).message },
      'ANT+ unavailable: cannot load the USB driver',
    );
    return undefined;
  }
}

program.parseAsync(process.argv).catch((err: unknown) => {
  if (isWattstreamError(err)) {
    process.stderr.write(`edge: ${err.code}: ${err.message}\n`);
  } else {
    process.stderr.write(`edge: ${(err as Error).stack ?? String(err)}\n`);
  }
  process.exit(1);
});
