import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createKafka, createLogger, DEFAULT_PORTS, loadConfig, port, questdbExec } from '@wattstream/platform';
import { KafkaNode } from './kafka-node.js';
import { ManagedProcess } from './managed-process.js';
import { assertPortsFree, checkJava, javaBinary } from './prereqs.js';
import { provision } from './provision.js';
import { QuestDbNode } from './questdb-node.js';
import { VERSIONS } from './versions.js';

export interface StackPorts {
  kafka: number;
  kafkaController: number;
  questdbHttp: number;
  questdbPg: number;
  questdbIlpTcp: number;
  questdbHttpMin: number;
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
  log?: (msg: string) => void;
}

export interface ComponentStatus {
  name: 'kafka' | 'questdb';
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
 * Kafka and QuestDB under one folder: `<dir>/kafka`, `<dir>/questdb`, and `<dir>/ports.json`
 * recording the ports of the running stack, so `up` twice and `status` agree with what runs.
 */
export class Stack {
  readonly kafka: KafkaNode;
  readonly questdb: QuestDbNode;
  readonly ports: StackPorts;

  constructor(readonly opts: StackOptions) {
    this.ports = Stack.runningPorts(opts.dir) ?? opts.ports;
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
  }

  /** Ports recorded by a stack that still has a live process of ours, else undefined. */
  static runningPorts(dir: string): StackPorts | undefined {
    const file = join(dir, 'ports.json');
    if (!existsSync(file)) return undefined;
    const alive = ['kafka', 'questdb'].some(
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

  env(): Record<string, string> {
    return connectionEnv(this.ports);
  }

  async up(): Promise<Record<string, string>> {
    const log = this.opts.log ?? (() => {});
    const kafkaRunning = this.kafka.service.runningPid() !== undefined;
    const questdbRunning = this.questdb.service.runningPid() !== undefined;
    // Nothing to start: no JVM check (a `java -version` is ~1 s), nothing to provision.
    if (kafkaRunning && questdbRunning) {
      log(`Kafka already running (pid ${this.kafka.service.runningPid()})`);
      log(`QuestDB already running (pid ${this.questdb.service.runningPid()})`);
      return this.env();
    }
    await checkJava(this.kafka.service.spec.command);
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
    // Downloads one after the other: two mvn runs would race on the same local repository.
    await provision('kafka', log);
    await provision('questdb', log);
    mkdirSync(this.opts.dir, { recursive: true });
    writeFileSync(join(this.opts.dir, 'ports.json'), `${JSON.stringify(this.ports, null, 2)}\n`);
    if (kafkaRunning) log(`Kafka already running (pid ${this.kafka.service.runningPid()})`);
    if (questdbRunning) log(`QuestDB already running (pid ${this.questdb.service.runningPid()})`);
    await Promise.all([this.kafka.start(), this.questdb.start()]);
    log('Kafka and QuestDB are serving');
    return this.env();
  }

  async down(): Promise<{ kafka: boolean; questdb: boolean }> {
    const [kafka, questdb] = await Promise.all([this.kafka.stop(), this.questdb.stop()]);
    rmSync(join(this.opts.dir, 'ports.json'), { force: true });
    return { kafka, questdb };
  }

  async status(): Promise<ComponentStatus[]> {
    const kafkaPid = this.kafka.service.runningPid();
    const questdbPid = this.questdb.service.runningPid();
    const kafka: ComponentStatus = {
      name: 'kafka',
      version: VERSIONS.kafka,
      running: kafkaPid !== undefined,
      serving: false,
      address: this.kafka.brokers,
      log: this.kafka.service.logFile,
      ...(kafkaPid !== undefined ? { pid: kafkaPid } : {}),
    };
    if (kafkaPid !== undefined) {
      try {
        const admin = createKafka({
          brokers: [this.kafka.brokers],
          clientId: 'wattstream-infra-status',
          logger: createLogger('infra', 'silent'),
          config: { retry: { retries: 1 } },
        }).admin();
        await admin.connect();
        const [cluster, topics] = await Promise.all([admin.describeCluster(), admin.listTopics()]);
        await admin.disconnect();
        kafka.serving = true;
        const own = topics.filter((t) => !t.startsWith('__'));
        kafka.detail = `cluster ${cluster.clusterId}, ${own.length} topic(s)${own.length ? `: ${own.sort().join(', ')}` : ''}`;
      } catch (err) {
        kafka.detail = `not answering: ${(err as Error).message}`;
      }
    }
    const questdb: ComponentStatus = {
      name: 'questdb',
      version: VERSIONS.questdb,
      running: questdbPid !== undefined,
      serving: false,
      address: `${this.questdb.httpUrl} (PG ${this.questdb.pg})`,
      log: this.questdb.service.logFile,
      ...(questdbPid !== undefined ? { pid: questdbPid } : {}),
    };
    if (questdbPid !== undefined) {
      try {
        const r = await questdbExec(this.questdb.httpUrl, 'select table_name from tables()', { timeoutMs: 3000 });
        questdb.serving = true;
        const names = r.dataset
          .map((row) => String(row[0]))
          .filter((n) => !n.startsWith('sys.') && !n.startsWith('telemetry'));
        questdb.detail = `${names.length} table(s)${names.length ? `: ${names.sort().join(', ')}` : ''}`;
      } catch (err) {
        questdb.detail = `not answering: ${(err as Error).message}`;
      }
    }
    return [kafka, questdb];
  }
}
