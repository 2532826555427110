import { rmSync } from 'node:fs';
import { freePort } from '../free-port.js';
import { KafkaNode } from '../kafka-node.js';
import { INSTANCE_ENV } from '../managed-process.js';
import { QuestDbNode } from '../questdb-node.js';
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
 * Test helpers: real Kafka and QuestDB instances on free loopback ports in temporary folders.
 * The global setup starts one shared stack per run; tests that break infrastructure on purpose
 * (kill Kafka, stop QuestDB) start a private instance with `startKafka`/`startQuestDb`.
 */
export async function freeStackPorts(): Promise<StackPorts> {
  const ports = new Set<number>();
  while (ports.size < 6) ports.add(await freePort());
  const [kafka, kafkaController, questdbHttp, questdbPg, questdbIlpTcp, questdbHttpMin] = [...ports] as number[];
  return {
    kafka: kafka!,
    kafkaController: kafkaController!,
    questdbHttp: questdbHttp!,
    questdbPg: questdbPg!,
    questdbIlpTcp: questdbIlpTcp!,
    questdbHttpMin: questdbHttpMin!,
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
