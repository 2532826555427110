import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createKafka, createLogger, DEFAULT_PORTS, loadConfig, port, questdbExec } from '@wattstream/platform';
import { KafkaNode } from './kafka-node.js';
import { ManagedProcess } from './managed-process.js';
import { withPg } from './pg-client.js';
import { findPostgres } from './postgres-install.js';
import { type PostgresDurability, PostgresNode } from './postgres-node.js';
import { assertPortsFree, checkJava, javaBinary } from './prereqs.js';
import { provision } from './provision.js';
import { QuestDbNode } from './questdb-node.js';
import { redisCommand } from './redis-client.js';
import { findRedisServer, RedisNode } from './redis-node.js';
import { allowSearch, postgresRunAs } from './run-as.js';
import { VERSIONS } from './versions.js';

export interface StackPorts {
  kafka: number;
  kafkaController: number;
  questdbHttp: number;
  questdbPg: number;
  questdbIlpTcp: number;
  questdbHttpMin: number;
  postgres: number;
  redis: number;
}

export const DEFAULT_STACK_PORTS: StackPorts = { ...DEFAULT_PORTS };

/** The stack's ports as settings: `pnpm infra` and `pnpm pipeline` read the same variables. */
export const stackPortsConfig = {
  kafka: port('INFRA_KAFKA_PORT', { default: DEFAULT_PORTS.kafka, description: 'Kafka broker' }),
  kafkaController: port('INFRA_KAFKA_CONTROLLER_PORT', {
    default: DEFAULT_PORTS.kafkaController,
    description: 'Kafka KRaft controller',
  }),
  questdbHttp: port('INFRA_QUESTDB_HTTP_PORT', { default: DEFAULT_PORTS.questdbHttp, description: 'QuestDB HTTP' }),
  questdbPg: port('INFRA_QUESTDB_PG_PORT', {
    default: DEFAULT_PORTS.questdbPg,
    description: 'QuestDB PostgreSQL wire',
  }),
  questdbIlpTcp: port('INFRA_QUESTDB_ILP_PORT', {
    default: DEFAULT_PORTS.questdbIlpTcp,
    description: 'QuestDB ILP/TCP',
  }),
  questdbHttpMin: port('INFRA_QUESTDB_HEALTH_PORT', {
    default: DEFAULT_PORTS.questdbHttpMin,
    description: 'QuestDB health (min HTTP)',
  }),
  postgres: port('INFRA_POSTGRES_PORT', { default: DEFAULT_PORTS.postgres, description: 'PostgreSQL' }),
  redis: port('INFRA_REDIS_PORT', { default: DEFAULT_PORTS.redis, description: 'Redis' }),
};

/** The stack's ports: the INFRA_*_PORT variables where set, else the defaults. */
export const stackPortsFromEnv = (env: Record<string, string | undefined> = process.env): StackPorts =>
  loadConfig(stackPortsConfig, env);

export interface StackOptions {
  dir: string;
  ports: StackPorts;
  kafkaLogLevel?: 'INFO' | 'WARN';
  kafkaHeap?: string;
  questdbHeap?: string;
  /** `none` for test stacks (see PostgresDurability); `full` by default. */
  postgresDurability?: PostgresDurability;
  log?: (msg: string) => void;
}

export const COMPONENTS = ['kafka', 'questdb', 'postgres', 'redis'] as const;
export type ComponentName = (typeof COMPONENTS)[number];
const LABELS: Record<ComponentName, string> = {
  kafka: 'Kafka',
  questdb: 'QuestDB',
  postgres: 'PostgreSQL',
  redis: 'Redis',
};

export interface ComponentStatus {
  name: ComponentName;
  version: string;
  running: boolean;
  serving: boolean;
  pid?: number;
  address: string;
  detail?: string;
  log: string;
}

/** The connection settings every service reads (foundation convention). */
export function connectionEnv(ports: Pick<StackPorts, 'kafka' | 'questdbHttp' | 'questdbPg'>): Record<string, string> {
  return {
    KAFKA_BROKERS: `127.0.0.1:${ports.kafka}`,
    QUESTDB_HTTP: `http://127.0.0.1:${ports.questdbHttp}`,
    QUESTDB_PG: `127.0.0.1:${ports.questdbPg}`,
  };
}

/**
 * Kafka, QuestDB, PostgreSQL and Redis under one folder (`<dir>/kafka`, `<dir>/questdb`,
 * `<dir>/postgres`, `<dir>/redis`) and `<dir>/ports.json` recording the ports of the running stack,
 * so `up` twice and `status` agree with what runs.
 */
export class Stack {
  readonly kafka: KafkaNode;
  readonly questdb: QuestDbNode;
  readonly postgres: PostgresNode;
  readonly redis: RedisNode;
  readonly ports: StackPorts;

  constructor(readonly opts: StackOptions) {
    // Recorded ports win; a stack started before a component existed lacks its entry.
    this.ports = { ...opts.ports, ...Stack.runningPorts(opts.dir) };
    const java = javaBinary();
    this.kafka = new KafkaNode({
      dir: join(opts.dir, 'kafka'),
      port: this.ports.kafka,
      controllerPort: this.ports.kafkaController,
      java,
      logLevel: opts.kafkaLogLevel ?? 'INFO',
      heap: opts.kafkaHeap ?? '1g',
      ...(opts.log ? { log: opts.log } : {}),
    });
    this.questdb = new QuestDbNode({
      dir: join(opts.dir, 'questdb'),
      httpPort: this.ports.questdbHttp,
      pgPort: this.ports.questdbPg,
      ilpTcpPort: this.ports.questdbIlpTcp,
      httpMinPort: this.ports.questdbHttpMin,
      java,
      heap: opts.questdbHeap ?? '1g',
      ...(opts.log ? { log: opts.log } : {}),
    });
    this.postgres = new PostgresNode({
      dir: join(opts.dir, 'postgres'),
      port: this.ports.postgres,
      durability: opts.postgresDurability ?? 'full',
      ...(opts.log ? { log: opts.log } : {}),
    });
    this.redis = new RedisNode({
      dir: join(opts.dir, 'redis'),
      port: this.ports.redis,
      ...(opts.log ? { log: opts.log } : {}),
    });
  }

  private get nodes() {
    return [this.kafka, this.questdb, this.postgres, this.redis] as const;
  }

  /** Ports recorded by a stack that still has a live process of ours, else undefined. */
  static runningPorts(dir: string): StackPorts | undefined {
    const file = join(dir, 'ports.json');
    if (!existsSync(file)) return undefined;
    const alive = COMPONENTS.some(
      (name) =>
        new ManagedProcess({
          name,
          dir: join(dir, name),
          command: 'java',
          args: [],
          ready: async () => true,
        }).runningPid() !== undefined,
    );
    if (!alive) return undefined;
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as StackPorts;
    } catch {
      return undefined;
    }
  }

  /** Connection settings: Kafka's and QuestDB's, `POSTGRES_URL` (the superuser's) and `REDIS_URL`. */
  env(): Record<string, string> {
    return { ...connectionEnv(this.ports), POSTGRES_URL: this.postgres.adminUrl(), REDIS_URL: this.redis.url() };
  }

  async up(): Promise<Record<string, string>> {
    const log = this.opts.log ?? (() => {});
    const [kafkaRunning, questdbRunning, postgresRunning, redisRunning] = this.nodes.map(
      (n) => n.service.runningPid() !== undefined,
    );
    // Nothing to start: no JVM check (a `java -version` is ~1 s), nothing to provision.
    const logRunning = () => {
      for (const [i, name] of COMPONENTS.entries()) {
        const pid = this.nodes[i]!.service.runningPid();
        if (pid !== undefined) log(`${LABELS[name]} already running (pid ${pid})`);
      }
    };
    if (kafkaRunning && questdbRunning && postgresRunning && redisRunning) {
      logRunning();
      return this.env();
    }
    // Every prerequisite first: the stack needs all four, so a missing one starts nothing.
    await checkJava(this.kafka.service.spec.command);
    findPostgres();
    const runAs = postgresRunAs();
    findRedisServer();
    if (!kafkaRunning) {
      await assertPortsFree({ Kafka: this.ports.kafka, 'Kafka controller': this.ports.kafkaController });
    }
    if (!questdbRunning) {
      await assertPortsFree({
        'QuestDB HTTP': this.ports.questdbHttp,
        'QuestDB PG wire': this.ports.questdbPg,
        'QuestDB ILP/TCP': this.ports.questdbIlpTcp,
        'QuestDB health': this.ports.questdbHttpMin,
      });
    }
    if (!postgresRunning) await assertPortsFree({ PostgreSQL: this.ports.postgres });
    if (!redisRunning) await assertPortsFree({ Redis: this.ports.redis });
    // Downloads one after the other: two mvn runs would race on the same local repository.
    await provision('kafka', log);
    await provision('questdb', log);
    mkdirSync(this.opts.dir, { recursive: true });
    allowSearch(runAs, this.opts.dir); // Postgres' own user must reach <dir>/postgres
    writeFileSync(join(this.opts.dir, 'ports.json'), `${JSON.stringify(this.ports, null, 2)}\n`);
    logRunning();
    await Promise.all(this.nodes.map((n) => n.start()));
    log('Kafka, QuestDB, PostgreSQL and Redis are serving');
    return this.env();
  }

  async down(): Promise<Record<ComponentName, boolean>> {
    const [kafka, questdb, postgres, redis] = await Promise.all(this.nodes.map((n) => n.stop()));
    rmSync(join(this.opts.dir, 'ports.json'), { force: true });
    return { kafka: kafka!, questdb: questdb!, postgres: postgres!, redis: redis! };
  }

  async status(): Promise<ComponentStatus[]> {
    return Promise.all([
      probe('kafka', VERSIONS.kafka, this.kafka.brokers, this.kafka.service, async () => {
        const admin = createKafka({
          brokers: [this.kafka.brokers],
          clientId: 'wattstream-infra-status',
          logger: createLogger('infra', 'silent'),
          config: { retry: { retries: 1 } },
        }).admin();
        await admin.connect();
        const [cluster, topics] = await Promise.all([admin.describeCluster(), admin.listTopics()]);
        await admin.disconnect();
        const own = topics.filter((t) => !t.startsWith('__'));
        return { detail: `cluster ${cluster.clusterId}, ${countAndNames(own, 'topic')}` };
      }),
      probe(
        'questdb',
        VERSIONS.questdb,
        `${this.questdb.httpUrl} (PG ${this.questdb.pg})`,
        this.questdb.service,
        async () => {
          const r = await questdbExec(this.questdb.httpUrl, 'select table_name from tables()', { timeoutMs: 3000 });
          const names = r.dataset
            .map((row) => String(row[0]))
            .filter((n) => !n.startsWith('sys.') && !n.startsWith('telemetry'));
          return { detail: countAndNames(names, 'table') };
        },
      ),
      probe('postgres', VERSIONS.postgres, this.postgres.address, this.postgres.service, async () =>
        withPg(this.postgres.adminUrl(), async (c) => {
          const version = (
            await c.query<{ v: string }>("SELECT current_setting('server_version') AS v")
          ).rows[0]?.v.split(' ')[0];
          const dbs = await c.query<{ datname: string }>(
            "SELECT datname FROM pg_database WHERE NOT datistemplate AND datname <> 'postgres'",
          );
          return {
            ...(version ? { version } : {}),
            detail: countAndNames(
              dbs.rows.map((r) => r.datname),
              'database',
            ),
          };
        }),
      ),
      probe('redis', VERSIONS.redis, this.redis.address, this.redis.service, async () => {
        const info = String(await redisCommand(this.redis.url(), ['INFO', 'server']));
        const keys = await redisCommand(this.redis.url(), ['DBSIZE']);
        const version = /redis_version:(\S+)/.exec(info)?.[1];
        return { ...(version ? { version } : {}), detail: `${keys} key(s) in db 0` };
      }),
    ]);
  }
}

const countAndNames = (names: string[], what: string) =>
  `${names.length} ${what}(s)${names.length ? `: ${[...names].sort().join(', ')}` : ''}`;

/** A component's status: its process, and what `check` (a real request) says when it runs. */
async function probe(
  name: ComponentName,
  version: string,
  address: string,
  service: ManagedProcess,
  check: () => Promise<{ version?: string; detail: string }>,
): Promise<ComponentStatus> {
  const pid = service.runningPid();
  const status: ComponentStatus = {
    name,
    version,
    running: pid !== undefined,
    serving: false,
    address,
    log: service.logFile,
    ...(pid !== undefined ? { pid } : {}),
  };
  if (pid === undefined) return status;
  try {
    const r = await check();
    return { ...status, serving: true, version: r.version ?? version, detail: r.detail };
  } catch (err) {
    return { ...status, detail: `not answering: ${(err as Error).message}` };
  }
}
