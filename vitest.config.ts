import { defineConfig } from 'vitest/config';

/**
 * One vitest configuration for every package. Sources of sibling packages resolve through the
 * `source` export condition, so tests run against TypeScript without a build. The global setup
 * starts real Kafka and QuestDB once per run on free loopback ports (see tools/infra).
 */
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: [
      '{packages/*,tools/*,edge,ingest,stream,benchmarks,gateway,legacy,web,services/*,observability}/test/**/*.test.ts',
    ],
    globalSetup: ['tools/infra/src/testing/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    teardownTimeout: 60_000,
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
