import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { simAthleteIds } from '@wattstream/contracts';
import {
  assertPortsFree,
  ensureServiceDatabase,
  infraDir,
  ManagedProcess,
  repoRoot,
  Stack,
  stackPortsFromEnv,
} from '@wattstream/infra';
import { type ConfigOf, configError } from '@wattstream/platform';
import type { launcherConfig } from './config.js';
import { type NodeServiceSpec, nodeService, readiness } from './node-service.js';
import { Observer } from './observe.js';
import { readSupervisorState, type Supervised } from './supervisor.js';

const run = promisify(execFile);

export type LauncherConfig = ConfigOf<typeof launcherConfig>;

export const SIM_EDGE_ID = 'sim-fleet';
export const SIM_GROUP_ID = 'sim-ride';

export interface ServiceStatus {
  name: string;
  pid: number | undefined;
  /** `/readyz` answered 200 (ready or degraded) */
  ready: boolean;
  /**
   * `stopped`, `not ready`, `ready`, or a degraded service's own word for it, e.g. `reconnecting`
   * for an edge whose broker is gone while its queue keeps the samples on disk.
   */
  state: string;
  /** times the supervisor restarted it */
  restarts: number;
  url: string;
  log: string;
}

/** Handed to the supervisor process (`pipeline supervise`) so it runs the same pipeline. */
export const PIPELINE_ENV = 'WATTSTREAM_PIPELINE';
export interface PipelineHandoff {
  cfg: LauncherConfig;
  infraEnv?: Record<string, string>;
  serviceEnv: Record<string, string>;
}

export interface PipelineInfo {
  /** The live server's own page, with a development token of the fleet's coach. */
  dashboardUrl: string;
  gatewayUrl: string;
  /** The dashboard through the gateway: signs in at the users service. */
  gatewayDashboardUrl: string;

  usersUrl: string;
  webUrl: string;
  viewerToken: string;
  mqttUrl: string;
  /** The Maildir every e-mail of the main job lands in (`new/` holds one file per message). */
  mailbox: string;
  athletes: string[];
  env: Record<string, string>;
}

/**
 * The whole pipeline on this machine: Kafka and QuestDB (`pnpm infra`), ingest, the QuestDB sink,
 * the stream worker, the live server, and a simulated fleet publishing through a real edge agent.
 * Every process runs detached with a pid file and a log under `DATA_DIR/run/<name>/`, so `up` is
 * idempotent and `down` stops exactly what `up` started.
 */
export class Pipeline implements Supervised {
  readonly stack: Stack;
  readonly root = repoRoot();
  readonly runDir: string;
  /** The gateway's route table in the main job (see writeGatewayRoutes). */
  readonly gatewayRoutesFile: string;
  /** The local mail server's folder: the main job's e-mails are files in `<mailDir>/Maildir/new`. */
  readonly mailDir: string;
  private readonly services: { spec: NodeServiceSpec & { url: string }; proc: ManagedProcess }[];
  /** `pipeline supervise`, left running by `up`: restarts a crashed service (see supervisor.ts). */
  readonly supervisor: ManagedProcess;
  readonly supervisorState: string;
  /** `up --observe`: Prometheus scraping every service (see observe.ts); stopped by `down`. */
  readonly observer: Observer;

  /**
   * `infraEnv`: use this running Kafka/QuestDB (`KAFKA_BROKERS`, `QUESTDB_HTTP`, `QUESTDB_PG`)
   * instead of the `pnpm infra` stack; `up`/`down` then leave the infrastructure alone.
   * `serviceEnv`: extra settings for every service (e.g. `STREAM_SESSION_GAP` in tests).
   */
  constructor(
    readonly cfg: LauncherConfig,
    private readonly log: (msg: string) => void = () => {},
    private readonly infraEnv?: Record<string, string>,
    private serviceEnv: Record<string, string> = {},
  ) {
    // The same INFRA_*_PORT settings as `pnpm infra up`, so both find one stack.
    this.stack = new Stack({ dir: infraDir(), ports: stackPortsFromEnv(), log });
    this.runDir = join(cfg.dataDir, 'run');
    this.gatewayRoutesFile = join(this.runDir, 'gateway-routes.json');
    this.mailDir = join(this.runDir, 'mail');

    const c = cfg;
    const cli = (pkg: string) => this.cliPath(pkg);
    const specs: (NodeServiceSpec & { url: string })[] = [
      {
        name: 'users',
        script: cli('services/users'),
        args: ['serve'],
        env: { USERS_PORT: `${c.usersPort}` },
        database: 'users',
        healthPort: c.usersPort,
        url: `http://127.0.0.1:${c.usersPort}`,
      },
      {
        name: 'ingest',
        script: cli('ingest'),
        args: ['serve'],
        env: { MQTT_PORT: `${c.mqttPort}`, MQTT_WS_PORT: `${c.mqttWsPort}`, INGEST_HTTP_PORT: `${c.ingestHttpPort}` },
        healthPort: c.ingestHttpPort,
        // Keeps RSS near 150 MB at full load (see ingest/README.md).
        nodeOptions: '--max-old-space-size=128 --max-semi-space-size=8',
        url: `mqtt://127.0.0.1:${c.mqttPort}`,
      },
      {
        name: 'sink',
        script: cli('ingest'),
        args: ['sink'],
        env: { SINK_HTTP_PORT: `${c.sinkHttpPort}` },
        healthPort: c.sinkHttpPort,
        url: `http://127.0.0.1:${c.sinkHttpPort}/metrics`,
      },
      {
        name: 'stream-worker',
        script: cli('stream'),
        args: ['work'],
        env: { STREAM_HTTP_PORT: `${c.streamHttpPort}` },
        healthPort: c.streamHttpPort,
        url: `http://127.0.0.1:${c.streamHttpPort}/metrics`,
      },
      {
        name: 'live',
        script: cli('stream'),
        args: ['live'],
        env: { LIVE_PORT: `${c.livePort}`, LIVE_HTTP_PORT: `${c.liveHttpPort}` },
        healthPort: c.liveHttpPort,
        url: `http://127.0.0.1:${c.livePort}/`,
      },
      {
        name: 'training',
        script: cli('services/training'),
        args: ['serve'],
        env: { TRAINING_PORT: `${c.trainingPort}` },
        database: 'training',
        healthPort: c.trainingPort,
        url: `http://127.0.0.1:${c.trainingPort}`,
      },
      {
        name: 'tracking',
        script: cli('services/tracking'),
        args: ['serve'],
        env: { TRACKING_PORT: `${c.trackingPort}` },
        database: 'tracking',
        healthPort: c.trackingPort,
        url: `http://127.0.0.1:${c.trackingPort}`,
      },
      {
        name: 'social',
        script: cli('services/social'),
        args: ['serve'],
        env: { SOCIAL_PORT: `${c.socialPort}` },
        database: 'social',
        healthPort: c.socialPort,
        url: `http://127.0.0.1:${c.socialPort}`,
      },
      {
        name: 'mail',
        script: cli('tools/infra'),
        args: ['mail', '--port', `${c.mailPort}`, '--http-port', `${c.mailHttpPort}`, '--dir', this.mailDir],
        env: {},
        healthPort: c.mailHttpPort,
        url: `smtp://127.0.0.1:${c.mailPort}`,
      },
      {
        name: 'notifications',
        script: cli('services/notifications'),
        args: ['serve'],
        env: {
          NOTIFICATIONS_PORT: `${c.notificationsPort}`,
          NOTIFICATIONS_SMTP_URL: `smtp://127.0.0.1:${c.mailPort}`,
          NOTIFICATIONS_APP_URL: `http://127.0.0.1:${c.gatewayPort}/app`,
        },
        database: 'notifications',
        healthPort: c.notificationsPort,
        url: `http://127.0.0.1:${c.notificationsPort}`,
      },
      {
        name: 'inventory',
        script: cli('services/inventory'),
        args: ['serve'],
        env: { INVENTORY_PORT: `${c.inventoryPort}` },
        database: 'inventory',
        healthPort: c.inventoryPort,
        url: `http://127.0.0.1:${c.inventoryPort}`,
      },
      {
        name: 'web',
        script: cli('web'),
        args: ['serve'],
        env: {
          WEB_PORT: `${c.webPort}`,
          WEB_TRAINING_UPSTREAM: `http://127.0.0.1:${c.trainingPort}`,
          WEB_TRACKING_UPSTREAM: `http://127.0.0.1:${c.trackingPort}`,
        },
        healthPort: c.webPort,
        url: `http://127.0.0.1:${c.webPort}/`,
      },
      {
        name: 'legacy',
        script: cli('legacy'),
        args: ['serve'],
        env: { LEGACY_PORT: `${c.legacyPort}` },
        database: 'legacy',
        healthPort: c.legacyPort,
        url: `http://127.0.0.1:${c.legacyPort}`,
      },
      {
        name: 'gateway',
        script: cli('gateway'),
        args: ['serve'],
        env: {
          GATEWAY_PORT: `${c.gatewayPort}`,
          GATEWAY_ROUTES_FILE: this.gatewayRoutesFile,
          USERS_URL: `http://127.0.0.1:${c.usersPort}`,
          TRAINING_URL: `http://127.0.0.1:${c.trainingPort}`,
          TRACKING_URL: `http://127.0.0.1:${c.trackingPort}`,
          SOCIAL_URL: `http://127.0.0.1:${c.socialPort}`,
          INVENTORY_URL: `http://127.0.0.1:${c.inventoryPort}`,
          NOTIFICATIONS_URL: `http://127.0.0.1:${c.notificationsPort}`,
          LEGACY_URL: `http://127.0.0.1:${c.legacyPort}`,
          LIVE_URL: `http://127.0.0.1:${c.livePort}`,
          WEB_URL: `http://127.0.0.1:${c.webPort}`,
        },
        healthPort: c.gatewayPort,
        url: `http://127.0.0.1:${c.gatewayPort}/`,
      },
      {
        name: 'edge-sim',
        script: cli('edge'),
        args: ['simulate', '--athletes', `${c.athletes}`],
        env: {
          MQTT_URL: `mqtt://127.0.0.1:${c.mqttPort}`,
          EDGE_ID: SIM_EDGE_ID,
          EDGE_HTTP_PORT: `${c.edgeHttpPort}`,
        },
        healthPort: c.edgeHttpPort,
        url: `http://127.0.0.1:${c.edgeHttpPort}/metrics`,
      },
    ];
    const chosen = chooseServices(
      specs.map((x) => x.name),
      c.services,
    );
    this.services = specs
      .filter((spec) => chosen.has(spec.name))
      .map((spec) => ({ spec, proc: nodeService(this.runDir, spec) }));
    const supervisorDir = join(this.runDir, 'supervisor');
    this.supervisorState = join(supervisorDir, 'state.json');
    this.observer = new Observer({
      dir: this.runDir,
      port: c.prometheusPort,
      zipkinPort: c.zipkinPort,
      traceRatio: c.observeTraceRatio,
      intervalMs: c.observeInterval,
      alertFor: c.observeAlertFor,
      targets: this.scrapeTargets(),
      log,
    });
    this.supervisor = new ManagedProcess({
      name: 'supervisor',
      dir: supervisorDir,
      command: process.execPath,
      args: [cli('tools/launcher'), 'supervise'],
      env: {}, // the handoff, set by up()
      // ready once it has written its state file
      ready: async () => readSupervisorState(this.supervisorState)?.pid === this.supervisor.runningPid(),
      startTimeoutMs: 15_000,
    });
  }

  /** Every service's `/metrics` address, as a scrape job named after the service. */
  scrapeTargets(): { job: string; target: string }[] {
    return this.services.map((s) => ({ job: s.spec.name, target: `127.0.0.1:${s.spec.healthPort}` }));
  }

  get serviceNames(): string[] {
    return this.services.map((s) => s.spec.name);
  }

  isRunning(name: string): boolean {
    return this.service(name).proc.runningPid() !== undefined;
  }

  private service(name: string) {
    const s = this.services.find((x) => x.spec.name === name);
    if (s === undefined) throw new Error(`no service ${name}`);
    return s;
  }

  /** Starts one service the way `up` does (ports checked, the edge's token minted); its pid once ready. */
  async startService(name: string): Promise<number> {
    const s = this.service(name);
    await assertPortsFree({ [`${s.spec.name} health`]: s.spec.healthPort, ...this.extraPorts(s.spec.name) });
    if (s.spec.name === 'edge-sim') {
      const token = await this.cliOutput('ingest', [
        'token',
        '--edge',
        SIM_EDGE_ID,
        ...simAthleteIds(this.cfg.athletes).flatMap((a) => ['--athlete', a]),
      ]);
      s.spec.env.EDGE_TOKEN = token;
    }
    if (s.spec.name === 'gateway') await this.writeGatewayRoutes();
    const database: Record<string, string> = s.spec.database
      ? { DATABASE_URL: await this.databaseUrl(s.spec.database) }
      : {};
    s.proc.spec.env = { ...this.baseEnv(), ...database, ...s.spec.env };
    const pid = await s.proc.start();
    if (s.spec.name === 'users') {
      // The simulated fleet's athletes exist as users with their profiles (FTP 180 W and up), so the
      // stream computes their zones from real profiles. Idempotent.
      await this.cliOutput(
        'services/users',
        ['seed-fleet', '--count', `${this.cfg.athletes}`, '--password', this.cfg.simPassword],
        {
          DATABASE_URL: database.DATABASE_URL ?? '',
        },
      );
    }
    return pid;
  }

  /**
   * The main job's route table: the built-in one with the strangler finished, i.e. every route
   * the legacy system served goes to the new service. Written once; an edit (e.g. `upstream:
   * "shadow"` on `training`) applies without a restart, and a later `up` keeps it.
   */
  private async writeGatewayRoutes(): Promise<void> {
    if (existsSync(this.gatewayRoutesFile)) return;
    const table = JSON.parse(await this.cliOutput('gateway', ['routes'])) as {
      routes: { legacy?: string; upstream?: string }[];
    };
    for (const r of table.routes) if (r.legacy !== undefined) r.upstream = 'new';
    mkdirSync(this.runDir, { recursive: true });
    writeFileSync(this.gatewayRoutesFile, `${JSON.stringify(table, null, 2)}\n`);
  }

  /**
   * The service's own database and role on the stack's PostgreSQL (created once, idempotent; safe
   * for a wave's services at once: ensureServiceDatabase serializes under an advisory lock).
   */
  private async databaseUrl(service: string): Promise<string> {
    const admin = (this.infraEnv ?? this.stack.env()).POSTGRES_URL;
    if (!admin) throw new Error('POSTGRES_URL is not known: is the infrastructure up?');
    return ensureServiceDatabase(admin, `${this.cfg.databasePrefix}${service}`);
  }

  /** A package's compiled CLI, as deployed. */
  private cliPath(pkg: string): string {
    return join(this.root, pkg, 'dist', 'cli.js');
  }

  private baseEnv(): Record<string, string> {
    return {
      ...(this.infraEnv ?? this.stack.env()),
      DATA_DIR: this.cfg.dataDir,
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
      // Every service verifies users' tokens (and ingest edge credentials) against the users JWKS.
      AUTH_JWKS_URL: `http://127.0.0.1:${this.cfg.usersPort}/.well-known/jwks.json`,
      // Behind the gateway, services also accept its signed identity header.
      AUTH_GATEWAY_JWKS_URL: `http://127.0.0.1:${this.cfg.gatewayPort}/.well-known/gateway-jwks.json`,
      ...this.serviceEnv,
    };
  }

  private async cliOutput(pkg: string, args: string[], env: Record<string, string> = {}): Promise<string> {
    const { stdout } = await run(process.execPath, [this.cliPath(pkg), ...args], {
      env: { ...process.env, ...this.baseEnv(), ...env },
    });
    return stdout.trim();
  }

  /**
   * `trace`: start Zipkin first and have every service started from here on (by `up` or by the
   * supervisor) send its spans there. A service already running keeps the setting it started with.
   * Tracing stays on while that Zipkin runs.
   */
  async up({ trace = false } = {}): Promise<PipelineInfo> {
    mkdirSync(this.runDir, { recursive: true });
    // Paused while `up` starts what is missing, so the two never start one service twice.
    await this.supervisor.stop({ graceMs: 5000 });
    const env = this.infraEnv ?? (await this.stack.up());
    // A later plain `up` keeps tracing while Zipkin runs, so restarted services keep sending spans.
    trace ||= this.observer.tracing();
    if (trace) {
      await this.observer.startTracing();
      this.serviceEnv = { ...this.serviceEnv, ...this.observer.tracingEnv() };
    }
    const athletes = simAthleteIds(this.cfg.athletes);
    // Wave by wave, each wave's services together: most of a cold start is waiting (module load,
    // Kafka joins, migrations), which overlaps well even on two cores.
    for (const wave of startWaves(this.services.map((x) => x.spec.name))) {
      await Promise.all(
        wave.map(async (name) => {
          const pid = this.service(name).proc.runningPid();
          if (pid !== undefined) {
            this.log(
              `${name} already running (pid ${pid})${trace ? ': it keeps the tracing setting it started with' : ''}`,
            );
            return;
          }
          this.log(`starting ${name} …`);
          await this.startService(name);
        }),
      );
    }
    const handoff: PipelineHandoff = {
      cfg: this.cfg,
      serviceEnv: this.serviceEnv,
      ...(this.infraEnv === undefined ? {} : { infraEnv: this.infraEnv }),
    };
    this.supervisor.spec.env = { [PIPELINE_ENV]: JSON.stringify(handoff) };
    const supervisorPid = await this.supervisor.start();
    this.log(`supervisor running (pid ${supervisorPid}): restarts a crashed service, log ${this.supervisor.logFile}`);
    const viewerToken = await this.cliOutput('stream', [
      'token',
      '--user',
      // the fleet's coach (users seed-fleet), whose coach links let it watch every athlete
      'sim-coach',
      '--role',
      'coach',
      ...athletes.flatMap((a) => ['--watch', a]),
      '--ttl',
      '12h',
    ]);
    if (this.serviceNames.includes('live')) await this.ensureGroup(viewerToken, athletes);
    const board = `group=${SIM_GROUP_ID}&athletes=${athletes.slice(0, 12).join(',')}`;
    const dashboardUrl = `http://127.0.0.1:${this.cfg.livePort}/?token=${viewerToken}&${board}`;
    const gatewayUrl = `http://127.0.0.1:${this.cfg.gatewayPort}`;
    const info: PipelineInfo = {
      dashboardUrl,
      gatewayUrl,
      gatewayDashboardUrl: `${gatewayUrl}/dashboard/?${board}`,
      usersUrl: `http://127.0.0.1:${this.cfg.usersPort}`,
      webUrl: `${gatewayUrl}/app/`,
      viewerToken,
      mqttUrl: `mqtt://127.0.0.1:${this.cfg.mqttPort}`,
      mailbox: join(this.mailDir, 'Maildir'),
      athletes,
      env,
    };
    writeFileSync(join(this.runDir, 'pipeline.json'), `${JSON.stringify(info, null, 2)}\n`);
    return info;
  }

  private extraPorts(name: string): Record<string, number> {
    if (name === 'ingest') return { MQTT: this.cfg.mqttPort, 'MQTT over WebSocket': this.cfg.mqttWsPort };
    return {};
  }

  /** The group ride of the simulated fleet, so the dashboard has a leaderboard. */
  private async ensureGroup(token: string, members: string[]): Promise<void> {
    const res = await fetch(`http://127.0.0.1:${this.cfg.livePort}/v1/groups/${SIM_GROUP_ID}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Simulated group ride', members: members.slice(0, 100), rankBy: 'distance' }),
    });
    if (!res.ok) throw new Error(`creating the group failed: ${res.status} ${await res.text()}`);
  }

  /** Stops the services (last started first), and the infrastructure too with `infra`. */
  async down({ infra = false } = {}): Promise<string[]> {
    const stopped: string[] = [];
    stopped.push(...(await this.observer.down()));
    if (await this.supervisor.stop({ graceMs: 5000 })) stopped.push('supervisor');
    // the reverse of up: the fleet first, users last; each wave's services together
    for (const wave of startWaves(this.serviceNames).reverse()) {
      const done = await Promise.all(wave.map((name) => this.service(name).proc.stop({ graceMs: 20_000 })));
      stopped.push(...wave.filter((_, i) => done[i]));
    }
    if (infra && !this.infraEnv) {
      const r = await this.stack.down();
      for (const [name, was] of Object.entries(r)) if (was) stopped.push(name);
    }
    return stopped;
  }

  async status(): Promise<ServiceStatus[]> {
    const restarts = readSupervisorState(this.supervisorState)?.services ?? {};
    return Promise.all(
      this.services.map(async (s) => {
        const pid = s.proc.runningPid();
        const r = pid === undefined ? undefined : await readiness(s.spec.healthPort);
        return {
          name: s.spec.name,
          pid,
          ready: r !== undefined && r.state !== 'not ready',
          state: r === undefined ? 'stopped' : r.state === 'degraded' ? degradedWord(r.checks) : r.state,
          restarts: restarts[s.spec.name]?.restarts ?? 0,
          url: s.spec.url,
          log: s.proc.logFile,
        };
      }),
    );
  }

  /** What the last `up` printed (dashboard URL, tokens), if the pipeline runs. */
  info(): PipelineInfo | undefined {
    try {
      return JSON.parse(readFileSync(join(this.runDir, 'pipeline.json'), 'utf8')) as PipelineInfo;
    } catch {
      return undefined;
    }
  }
}

/**
 * The services `PIPELINE_SERVICES` names (all when empty), plus users, which every service needs
 * for its tokens; an unknown name is a configuration error.
 */
export function chooseServices(known: string[], wanted: string[]): Set<string> {
  if (wanted.length === 0) return new Set(known);
  const unknown = wanted.filter((n) => !known.includes(n));
  if (unknown.length > 0) {
    throw configError([`PIPELINE_SERVICES: no service named ${unknown.join(', ')} (known: ${known.join(', ')})`]);
  }
  return new Set(['users', ...wanted]);
}

/**
 * The order `up` starts services in: users first (every service verifies tokens against its
 * JWKS), then the services, then those that call the others at start (notifications sends through
 * the mail server; the gateway fronts everything), and the simulated fleet last, once ingest listens.
 */
const WAVE: Record<string, number> = { users: 0, notifications: 2, gateway: 2, 'edge-sim': 3 };
export function startWaves(names: string[]): string[][] {
  const waves: string[][] = [[], [], [], []];
  for (const n of names) waves[WAVE[n] ?? 1]?.push(n);
  return waves.filter((w) => w.length > 0);
}

/** The first word of a degraded check (`reconnecting to the broker; …` → `reconnecting`). */
function degradedWord(checks: Record<string, string>): string {
  const why = Object.values(checks).find((v) => v !== 'ok');
  return why?.split(/[ ;:,]/)[0] || 'degraded';
}
