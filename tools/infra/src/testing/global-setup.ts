import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { startTestStack } from './index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Connection settings of the run's shared Kafka and QuestDB (KAFKA_BROKERS, QUESTDB_HTTP, QUESTDB_PG). */
    infra: Record<string, string>;
  }
}

/**
 * Vitest global setup: one real Kafka and QuestDB per test run, on free loopback ports. The
 * settings are exported to `process.env` (inherited by test workers and the services they spawn)
 * and provided as `inject('infra')`. Everything started here is stopped in the teardown.
 * `WATTSTREAM_TEST_INFRA=0` skips it for runs that need no infrastructure.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (process.env.WATTSTREAM_TEST_INFRA === '0') {
    project.provide('infra', {});
    return async () => {};
  }
  const started = Date.now();
  const test = await startTestStack();
  Object.assign(process.env, test.env);
  project.provide('infra', test.env);
  process.stderr.write(`[infra] Kafka and QuestDB ready in ${Date.now() - started} ms: ${JSON.stringify(test.env)}\n`);
  return async () => {
    await test.destroy();
  };
}
