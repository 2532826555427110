import { freePort } from '@wattstream/infra';
import { instanceEnv, tempDir, testDatabase } from '@wattstream/infra/testing';
import { replayDeadLetters, type ServiceDefinition, startService } from '@wattstream/kernel';
import type { ConfigSpec } from '@wattstream/platform';
import { consumerContract } from './contracts/consumer.js';
import { testKafka, testLogger, unique } from './kafka.js';
import { ServiceProcess } from './service-process.js';

/** How the tests start one kernel service: its definition, its CLI, and the names of its settings. */
export interface ServiceHarness<S extends ConfigSpec, R> {
  /** The service name: its test database and consumer group are named after it. */
  name: string;
  definition: ServiceDefinition<S, R>;
  /** Path of `src/cli.ts`, for child processes (kill -9). */
  cli: string;
  /** The variable of its HTTP port, e.g. `SOCIAL_PORT`. */
  portEnv: string;
  /** The variable of its consumer group, e.g. `SOCIAL_CONSUMER_GROUP`. */
  groupEnv: string;
}

/** The service in-process on a fresh database, its own consumer group, tokens from `jwksUrl`. */
export async function startTestService<S extends ConfigSpec, R>(
  h: ServiceHarness<S, R>,
  jwksUrl: string,
  env: Record<string, string> = {},
) {
  const db = await testDatabase(h.name);
  const group = unique(h.name);
  const svc = await startService(h.definition, {
    env: {
      ...process.env,
      LOG_LEVEL: 'silent',
      [h.portEnv]: '0',
      DATABASE_URL: db.url,
      OUTBOX_POLL: '200ms',
      AUTH_JWKS_URL: jwksUrl,
      [h.groupEnv]: group,
      ...env,
    },
  });
  return Object.assign(svc, {
    db,
    group,
    async destroy() {
      await svc.stop();
      await db.drop();
    },
  });
}
export type TestService = Awaited<ReturnType<typeof startTestService>>;

/**
 * How many times the service's consumers handled the event `ceId` (the kernel's processed-events
 * record): the effect to count for an event that changes nothing else, e.g. erasing a stranger.
 */
export async function timesHandled(svc: TestService, ceId: string): Promise<number> {
  const r = await svc.ctx.db.query('SELECT count(*) AS n FROM kernel_processed_events WHERE event_id = $1', [ceId]);
  return Number(r.rows[0]?.n ?? 0);
}

/** The service as a child process (for kill -9), on a free port. */
export async function testServiceProcess<S extends ConfigSpec, R>(
  h: ServiceHarness<S, R>,
  env: Record<string, string>,
): Promise<ServiceProcess> {
  const port = await freePort();
  return new ServiceProcess({
    cli: h.cli,
    args: ['serve'],
    env: {
      LOG_LEVEL: 'warn',
      [h.portEnv]: String(port),
      OUTBOX_POLL: '200ms',
      ...instanceEnv(tempDir(`${h.name}-proc`)),
      ...env,
    },
    httpUrl: `http://127.0.0.1:${port}`,
  });
}

/**
 * The kernel's consumer contract for one topic of a service: a fresh instance of it (own database,
 * own group) per suite; `effects` counts what the event with a `ce_id` did in that instance.
 */
export function serviceConsumerContract<Svc extends TestService>(o: {
  name: string;
  topic: string;
  start: () => Promise<Svc>;
  event: (i: number) => { key: string; value: unknown; id: string };
  effects: (svc: Svc, id: string) => Promise<number>;
}): void {
  const kafka = testKafka(`contract-${o.name}`);
  let svc: Svc | undefined;
  consumerContract({
    name: o.name,
    topic: o.topic,
    get group() {
      return svc?.group ?? '';
    },
    async start() {
      svc = await o.start();
    },
    stop: async () => svc?.destroy(),
    event: o.event,
    effects: (id) => o.effects(svc as Svc, id),
    replay: () => replayDeadLetters((svc as Svc).consumerGroups[0]!, kafka, o.topic, testLogger),
  });
}
