import { describe, expect, it } from 'vitest';
import {
  bool,
  duration,
  hostPortList,
  int,
  isWattstreamError,
  loadConfig,
  oneOf,
  parseDuration,
  port,
  sharedConfig,
  url,
} from '../src/index.js';

describe('configuration from the environment', () => {
  it('applies defaults for the shared settings', () => {
    const c = loadConfig(sharedConfig, {});
    expect(c.kafkaBrokers).toEqual(['127.0.0.1:19092']);
    expect(c.questdbHttp).toBe('http://127.0.0.1:19000');
    expect(c.questdbPg).toBe('127.0.0.1:18812');
    expect(c.postgresUrl).toBe('postgres://127.0.0.1:15432/postgres');
    expect(c.redisUrl).toBe('redis://127.0.0.1:16379');
    expect(c.logLevel).toBe('info');
  });

  it('parses typed values', () => {
    const c = loadConfig(
      { p: port('P'), d: duration('D'), b: bool('B'), l: hostPortList('L'), n: int('N', { min: 1 }), u: url('U') },
      { P: '1883', D: '30d', B: 'yes', L: 'a:1, b:2', N: '7', U: 'mqtt://h:1/' },
    );
    expect(c).toEqual({ p: 1883, d: 30 * 86_400_000, b: true, l: ['a:1', 'b:2'], n: 7, u: 'mqtt://h:1' });
  });

  it('names every bad or missing variable in one coded error', () => {
    let err: unknown;
    try {
      loadConfig(
        {
          brokers: hostPortList('KAFKA_BROKERS'),
          p: port('MQTT_PORT', { default: 1883 }),
          lvl: oneOf('LOG_LEVEL', ['info', 'debug']),
          k: int('REQUIRED_K'),
        },
        { KAFKA_BROKERS: 'localhost', MQTT_PORT: '70000', LOG_LEVEL: 'loud' },
      );
    } catch (e) {
      err = e;
    }
    expect(isWattstreamError(err, 'WS_CONFIG_INVALID')).toBe(true);
    const msg = (err as Error).message;
    expect(msg).toContain(
      'KAFKA_BROKERS must be a comma-separated list of host:port, e.g. 127.0.0.1:19092; got "localhost"',
    );
    expect(msg).toContain('MQTT_PORT must be a TCP port (1–65535); got "70000"');
    expect(msg).toContain('LOG_LEVEL must be one of info, debug; got "loud"');
    expect(msg).toContain('REQUIRED_K is required');
  });

  it('lets flags override the environment', () => {
    const c = loadConfig({ p: port('MQTT_PORT', { default: 1 }) }, { MQTT_PORT: '1883' }, { MQTT_PORT: '2883' });
    expect(c.p).toBe(2883);
  });

  it('parses durations', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('5m')).toBe(300_000);
    expect(parseDuration('120')).toBe(120);
    expect(parseDuration('soon')).toBeUndefined();
  });
});
