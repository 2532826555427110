import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { InfraErrorCode, infraError } from '../errors.js';
import { freePort } from '../free-port.js';
import { KafkaNode } from '../kafka-node.js';
import { INSTANCE_ENV } from '../managed-process.js';
import { type PostgresDurability, PostgresNode } from '../postgres-node.js';
import { QuestDbNode } from '../questdb-node.js';
import { RedisNode } from '../redis-node.js';
import { dropServiceDatabase, ensureServiceDatabase } from '../service-database.js';
import { Stack, type StackPorts } from '../stack.js';
import { tempDir } from './temp.js';

export { freePort } from '../free-port.js';
export { tempDir } from './temp.js';

/**
 * Environment that marks a process a test spawns as belonging to `dir` (a `tempDir`): if the test
 * run dies, the reaper stops it with the folder's other processes. ManagedProcess sets it itself.
 */
export const instanceEnv = (dir: string): Record<string, string> => ({ [INSTANCE_ENV]: dir });

/**
 * Test helpers: real Kafka, QuestDB, PostgreSQL and Redis instances on free loopback ports in
 * temporary folders. The global setup starts one shared stack per run; tests that break
 * infrastructure on purpose (kill Kafka, stop QuestDB or Postgres) start a private instance with
 * `startKafka`/`startQuestDb`/`startPostgres`/`startRedis`.
 */
export async function freeStackPorts(): Promise<StackPorts> {
  const ports = new Set<number>();
  while (ports.size < 8) ports.add(await freePort());
  const [kafka, kafkaController, questdbHttp, questdbPg, questdbIlpTcp, questdbHttpMin, postgres, redis] = [
    ...ports,
  ] as number[];
  return {
    kafka: kafka!,
    kafkaController: kafkaController!,
    questdbHttp: questdbHttp!,
    questdbPg: questdbPg!,
    questdbIlpTcp: questdbIlpTcp!,
    questdbHttpMin: questdbHttpMin!,
    postgres: postgres!,
    redis: redis!,
  };
}

export interface TestKafka {
  node: KafkaNode;
  brokers: string;
  dir: string;
  /** Stops the broker gracefully and deletes its folder. */
  destroy(): Promise<void>;
}

/** A private Kafka for one test file (e.g. to stop and restart it under load). */
export async function startKafka(): Promise<TestKafka> {
  const dir = tempDir('kafka');
  const node = new KafkaNode({
    dir,
    port: await freePort(),
    controllerPort: await freePort(),
    logLevel: 'WARN',
    heap: '768m',
  });
  await node.start();
  return {
    node,
    brokers: node.brokers,
    dir,
    destroy: async () => {
      await node.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TestQuestDb {
  node: QuestDbNode;
  httpUrl: string;
  dir: string;
  destroy(): Promise<void>;
}

/** A private QuestDB for one test file (e.g. to stop it while a sink writes). */
export async function startQuestDb(): Promise<TestQuestDb> {
  const dir = tempDir('questdb');
  const node = new QuestDbNode({
    dir,
    httpPort: await freePort(),
    pgPort: await freePort(),
    ilpTcpPort: await freePort(),
    httpMinPort: await freePort(),
    heap: '512m',
  });
  await node.start();
  return {
    node,
    httpUrl: node.httpUrl,
    dir,
    destroy: async () => {
      await node.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TestPostgres {
  node: PostgresNode;
  /** The superuser URL (give services `ensureServiceDatabase(url, name)` instead). */
  url: string;
  port: number;
  dir: string;
  /** Stops the server (fast shutdown) and deletes its folder. */
  destroy(): Promise<void>;
}

/**
 * A private PostgreSQL cluster for one test file (e.g. to stop or kill it under load). Without
 * fsync (`durability: 'process'`): a kill loses nothing committed, a machine crash may.
 */
export async function startPostgres(opts: { durability?: PostgresDurability } = {}): Promise<TestPostgres> {
  const dir = tempDir('postgres');
  const port = await freePort();
  const node = new PostgresNode({ dir, port, durability: opts.durability ?? 'process', maxConnections: 100 });
  await node.start();
  return {
    node,
    url: node.adminUrl(),
    port,
    dir,
    destroy: async () => {
      await node.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TestRedis {
  node: RedisNode;
  /** `redis://:<password>@127.0.0.1:<port>` */
  url: string;
  port: number;
  dir: string;
  destroy(): Promise<void>;
}

/** A private Redis for one test file. */
export async function startRedis(): Promise<TestRedis> {
  const dir = tempDir('redis');
  const port = await freePort();
  const node = new RedisNode({ dir, port });
  await node.start();
  return {
    node,
    url: node.url(),
    port,
    dir,
    destroy: async () => {
      await node.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TestDatabase {
  /** The new role's URL for its own new database. */
  url: string;
  /** Drops the database (closing its sessions) and the role. */
  drop(): Promise<void>;
}

/**
 * A fresh database and login role, uniquely named after `service` (`<service>_<random>`), on the
 * run's shared cluster (the `POSTGRES_URL` the global setup exported) or on `adminUrl`, with the
 * same rights a service gets from `ensureServiceDatabase`.
 */
export async function testDatabase(service: string, adminUrl = process.env.POSTGRES_URL): Promise<TestDatabase> {
  if (!adminUrl) {
    throw infraError(
      InfraErrorCode.DatabaseSetup,
      'testDatabase needs POSTGRES_URL: run under the vitest global setup (tools/infra/src/testing/global-setup.ts) or pass an admin URL (startPostgres().url)',
    );
  }
  const name = `${service.slice(0, 50)}_${randomBytes(4).toString('hex')}`;
  const url = await ensureServiceDatabase(adminUrl, name);
  return { url, drop: () => dropServiceDatabase(adminUrl, name) };
}

export interface TestStack {
  stack: Stack;
  env: Record<string, string>;
  dir: string;
  destroy(): Promise<void>;
}

export async function startTestStack(
  opts: { prefix?: string; kafkaHeap?: string; questdbHeap?: string } = {},
): Promise<TestStack> {
  const dir = tempDir(opts.prefix ?? 'stack');
  const stack = new Stack({
    dir,
    ports: await freeStackPorts(),
    kafkaLogLevel: 'WARN',
    kafkaHeap: opts.kafkaHeap ?? '768m',
    questdbHeap: opts.questdbHeap ?? '768m',
    postgresDurability: 'none', // the shared cluster: nobody kills it
  });
  const env = await stack.up();
  return {
    stack,
    env,
    dir,
    destroy: async () => {
      await stack.down();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
export * from './mosquitto.js';
export * from './prometheus.js';
