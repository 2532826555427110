import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import { startTestStack } from './index.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /**
     * Connection settings of the run's shared infrastructure: KAFKA_BROKERS, QUESTDB_HTTP,
     * QUESTDB_PG, POSTGRES_URL (the superuser's; `testDatabase()` makes a service-like one) and
     * REDIS_URL.
     */
    infra: Record<string, string>;
  }
}

/**
 * Vitest global setup: one real Kafka, QuestDB, PostgreSQL and Redis per test run, on free
 * loopback ports, started in parallel. The
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
  process.stderr.write(
    `[infra] Kafka, QuestDB, PostgreSQL and Redis ready in ${Date.now() - started} ms: ${JSON.stringify(test.env)}\n`,
  );
  return async () => {
    await test.destroy();
  };
}
