import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { checkJava, isAlive, redisCommand, repoRoot, VERSIONS } from '../src/index.js';
import { freeStackPorts, tempDir } from '../src/testing/index.js';

const run = promisify(execFile);
const root = repoRoot();
const cli = join(root, 'tools/infra/src/cli.ts');
const tsx = join(root, 'node_modules/.bin/tsx');

const dir = tempDir('cli');
const ports = await freeStackPorts();
const args = [
  `--dir=${dir}`,
  `--kafka-port=${ports.kafka}`,
  `--kafka-controller-port=${ports.kafkaController}`,
  `--questdb-http-port=${ports.questdbHttp}`,
  `--questdb-pg-port=${ports.questdbPg}`,
  `--questdb-ilp-port=${ports.questdbIlpTcp}`,
  `--questdb-health-port=${ports.questdbHttpMin}`,
  `--postgres-port=${ports.postgres}`,
  `--redis-port=${ports.redis}`,
];

async function infra(cmd: string, extra: string[] = [], env: Record<string, string> = {}) {
  try {
    const r = await run(tsx, [cli, cmd, ...args, ...extra], { env: { ...process.env, ...env }, timeout: 240_000 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const pid = (name: string) => Number(readFileSync(join(dir, name, `${name}.pid`), 'utf8'));
const names = ['kafka', 'questdb', 'postgres', 'redis'];
const settings = (stdout: string) =>
  Object.fromEntries(
    stdout
      .trim()
      .split('\n')
      .map((l) => l.split(/=(.*)/s)),
  );

afterAll(async () => {
  await infra('down');
  rmSync(dir, { recursive: true, force: true });
});

describe('pnpm infra up|down|status', () => {
  it('up prints exactly the connection settings on stdout and leaves all four serving', async () => {
    const r = await infra('up');
    expect(r.code, r.stderr).toBe(0);
    const env = settings(r.stdout);
    expect(Object.keys(env)).toEqual(['KAFKA_BROKERS', 'QUESTDB_HTTP', 'QUESTDB_PG', 'POSTGRES_URL', 'REDIS_URL']);
    expect(env).toMatchObject({
      KAFKA_BROKERS: `127.0.0.1:${ports.kafka}`,
      QUESTDB_HTTP: `http://127.0.0.1:${ports.questdbHttp}`,
      QUESTDB_PG: `127.0.0.1:${ports.questdbPg}`,
    });
    expect(env.POSTGRES_URL).toMatch(
      new RegExp(`^postgres://postgres:[\\w-]{32}@127\\.0\\.0\\.1:${ports.postgres}/postgres$`),
    );
    expect(env.REDIS_URL).toMatch(new RegExp(`^redis://:[\\w-]{32}@127\\.0\\.0\\.1:${ports.redis}$`));
    expect(r.stderr).toContain('Kafka, QuestDB, PostgreSQL and Redis are serving');
    // The printed URLs log in.
    const client = new pg.Client({ connectionString: env.POSTGRES_URL });
    await client.connect();
    expect((await client.query('SELECT current_user AS u')).rows).toEqual([{ u: 'postgres' }]);
    await client.end();
    expect(await redisCommand(env.REDIS_URL!, ['PING'])).toBe('PONG');

    const s = await infra('status', ['--json']);
    expect(s.code, s.stdout).toBe(0);
    const status = JSON.parse(s.stdout) as { name: string; serving: boolean; version: string }[];
    expect(status.map((x) => [x.name, x.serving])).toEqual(names.map((n) => [n, true]));
    expect(status.map((x) => x.version)).toEqual([
      VERSIONS.kafka,
      VERSIONS.questdb,
      expect.stringMatching(/^\d+\.\d+$/), // the server's own, e.g. 15.18
      expect.stringMatching(/^\d+\.\d+\.\d+$/),
    ]);
  }, 240_000);

  it('up twice is fine: same processes, same settings', async () => {
    const before = names.map(pid);
    const first = await infra('up', ['--quiet']);
    const r = await infra('up');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(first.stdout); // the same generated passwords
    expect(r.stdout).toContain(`KAFKA_BROKERS=127.0.0.1:${ports.kafka}`);
    expect(r.stderr).toContain('PostgreSQL already running');
    expect(r.stderr).toContain('Redis already running');
    expect(names.map(pid)).toEqual(before);
  }, 120_000);

  it('--quiet (or pnpm --silent) prints nothing but the settings', async () => {
    const r = await infra('up', ['--quiet']);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim().split('\n')).toHaveLength(5);
  }, 60_000);

  it('down stops only what up started, and status then says stopped with exit code 3', async () => {
    const pids = names.map(pid);
    const r = await infra('down');
    expect(r.stdout).toBe('kafka: stopped\nquestdb: stopped\npostgres: stopped\nredis: stopped\n');
    for (const p of pids) expect(isAlive(p)).toBe(false);
    const s = await infra('status');
    expect(s.code).toBe(3);
    expect(s.stdout).toMatch(/kafka\s+\S+\s+stopped/);
    const again = await infra('down');
    expect(again.stdout).toBe(
      'kafka: was not running\nquestdb: was not running\npostgres: was not running\nredis: was not running\n',
    );
  }, 120_000);

  it('says clearly when PostgreSQL or Redis is missing, and then starts nothing', async () => {
    const noPg = await infra('up', [], { INFRA_POSTGRES_BINDIR: join(dir, 'no-postgres') });
    expect(noPg.code).toBe(1);
    expect(noPg.stderr).toContain(
      `WS_INFRA_NO_POSTGRES: INFRA_POSTGRES_BINDIR=${join(dir, 'no-postgres')} holds no PostgreSQL server`,
    );
    const noRedis = await infra('up', [], { INFRA_REDIS_SERVER: join(dir, 'no-redis-server') });
    expect(noRedis.code).toBe(1);
    expect(noRedis.stderr).toContain('WS_INFRA_NO_REDIS: no redis-server at');
    const s = await infra('status', ['--json']);
    expect((JSON.parse(s.stdout) as { running: boolean }[]).map((x) => x.running)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  }, 60_000);

  it('names a taken port', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(ports.questdbHttp, '127.0.0.1', r));
    try {
      const r = await infra('up');
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`WS_INFRA_PORT_TAKEN: port ${ports.questdbHttp} (QuestDB HTTP) on 127.0.0.1 is taken`);
    } finally {
      blocker.close();
    }
  }, 60_000);

  it('says clearly when java is missing', async () => {
    const r = await infra('up', [], { JAVA_HOME: join(dir, 'no-such-jdk') });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('WS_INFRA_NO_JAVA: no java found');
    expect(r.stderr).toContain('install a JDK 17+');
  }, 60_000);

  it('says clearly when java is too old', async () => {
    const fake = join(dir, 'old-jdk');
    const { mkdirSync, writeFileSync, chmodSync } = await import('node:fs');
    mkdirSync(join(fake, 'bin'), { recursive: true });
    writeFileSync(join(fake, 'bin', 'java'), '#!/bin/sh\necho \'openjdk version "11.0.2" 2019-01-15\' >&2\n');
    chmodSync(join(fake, 'bin', 'java'), 0o755);
    const err = await checkJava(join(fake, 'bin', 'java')).catch((e: Error) => e);
    expect((err as Error).message).toContain('Java 17+ is required, found Java 11');
  });

  it('says clearly when mvn is missing and nothing is cached', async () => {
    const r = await infra('up', [], { MVN: join(dir, 'no-mvn'), WATTSTREAM_CACHE: join(dir, 'empty-cache') });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('WS_INFRA_NO_MAVEN: no Maven found');
  }, 60_000);
});

describe('docker-compose.yml', () => {
  it('pins the same versions as the no-Docker infrastructure', () => {
    const compose = readFileSync(join(root, 'docker-compose.yml'), 'utf8');
    expect(compose).toContain(`apache/kafka:${VERSIONS.kafka}`);
    expect(compose).toContain(`questdb/questdb:${VERSIONS.questdb}`);
    expect(compose).toContain(`image: postgres:${VERSIONS.postgres}\n`);
    expect(compose).toContain(`image: redis:${VERSIONS.redis}\n`);
  });
});
