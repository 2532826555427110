import { statSync } from 'node:fs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { findRedisServer, isAlive, redisCommand } from '../src/index.js';
import { startRedis, type TestRedis, tempDir } from '../src/testing/index.js';

let redis: TestRedis | undefined;
afterAll(async () => redis?.destroy());

const failure = (url: string, args: string[]) =>
  redisCommand(url, args).then(
    () => 'ok',
    (err: Error) => err.message,
  );

describe('RedisNode', () => {
  it('serves authenticated clients on loopback with persistence off', async () => {
    redis = await startRedis();
    expect(await redisCommand(redis.url, ['SET', 'k', 'v é'])).toBe('OK');
    expect(await redisCommand(redis.url, ['GET', 'k'])).toBe('v é');
    expect(await redisCommand(redis.url, ['CONFIG', 'GET', 'save'])).toEqual(['save', '']);
    expect(await redisCommand(redis.url, ['CONFIG', 'GET', 'appendonly'])).toEqual(['appendonly', 'no']);
    expect(await redisCommand(redis.url, ['CONFIG', 'GET', 'bind'])).toEqual(['bind', '127.0.0.1']);
    expect(await redisCommand(redis.url, ['CONFIG', 'GET', 'protected-mode'])).toEqual(['protected-mode', 'yes']);
    // The password is required, and kept readable by us alone.
    expect(await failure(`redis://127.0.0.1:${redis.port}`, ['GET', 'k'])).toMatch(/^NOAUTH/);
    expect(await failure(`redis://:wrong@127.0.0.1:${redis.port}`, ['PING'])).toMatch(/^WRONGPASS/);
    expect(statSync(redis.node.passwordFile).mode & 0o777).toBe(0o600);
  });

  it('stops what it started (its marker survives Redis’ process title)', async () => {
    const pid = redis!.node.service.runningPid();
    expect(pid).toBeGreaterThan(0);
    expect(await redis!.node.stop()).toBe(true);
    expect(isAlive(pid!)).toBe(false);
  });

  it('the run’s shared Redis is provided to tests as REDIS_URL', async () => {
    const url = inject('infra').REDIS_URL ?? '';
    expect(url).toBe(process.env.REDIS_URL);
    expect(await redisCommand(url, ['PING'])).toBe('PONG');
  });

  it('says what to install when redis-server is missing', () => {
    const missing = `${tempDir('no-redis')}/redis-server`;
    expect(() => findRedisServer({ INFRA_REDIS_SERVER: missing })).toThrow(
      `no redis-server at ${missing}: install it (Debian: apt-get install redis-server`,
    );
  });
});
