import { loadConfig } from '@wattstream/platform';
import { describe, expect, it } from 'vitest';
import { serveConfig } from '../src/config.js';
import { canPublish, canSubscribe } from '../src/mqtt/acl.js';
import { effectiveKeepalive } from '../src/mqtt/pre-connect.js';
import { RateLimiter } from '../src/mqtt/rate-limit.js';
import { configConflicts } from '../src/serve.js';

describe('ACL', () => {
  const athletes = new Set(['a1', 'a2']);
  it('allows samples for the token athletes and the own status only', () => {
    expect(canPublish('e1', athletes, 'v1/samples/a1/dev').allowed).toBe(true);
    expect(canPublish('e1', athletes, 'v1/status/e1').allowed).toBe(true);
    for (const t of [
      'v1/samples/a3/dev',
      'v1/status/e2',
      'v1/errors/e1',
      'v1/commands/e1',
      'v1/samples/a1/dev/x',
      'v1/samples/a1',
      '$SYS/x',
      'v2/samples/a1/d',
    ]) {
      expect(canPublish('e1', athletes, t).allowed, t).toBe(false);
    }
  });
  it('allows exactly the own errors and commands subscriptions', () => {
    expect(canSubscribe('e1', 'v1/errors/e1')).toBe(true);
    expect(canSubscribe('e1', 'v1/commands/e1')).toBe(true);
    for (const f of ['v1/errors/+', 'v1/errors/#', '#', 'v1/errors/e2', 'v1/status/e1', '$share/g/v1/errors/e1']) {
      expect(canSubscribe('e1', f), f).toBe(false);
    }
  });
});

describe('keepalive bounds', () => {
  it('maps 0 and values above max to max, values below min to min', () => {
    const b = { min: 5, max: 900 };
    expect(effectiveKeepalive(0, b)).toBe(900);
    expect(effectiveKeepalive(65_535, b)).toBe(900);
    expect(effectiveKeepalive(1, b)).toBe(5);
    expect(effectiveKeepalive(60, b)).toBe(60);
  });
});

describe('rate limiter', () => {
  it('lets a burst through, then spaces publishes at the rate', () => {
    const r = new RateLimiter(10, 2);
    expect(r.take('e', 0)).toBe(0);
    expect(r.take('e', 0)).toBe(0);
    expect(r.take('e', 0)).toBeCloseTo(100);
    expect(r.take('e', 0)).toBeCloseTo(200);
    expect(r.take('e', 1000)).toBe(0); // refilled
    expect(r.take('other', 0)).toBe(0); // per edge
  });
  it('forgets an edge with its last connection', () => {
    const r = new RateLimiter(10, 2);
    r.retain('e');
    r.retain('e');
    r.release('e');
    expect(r.size).toBe(1);
    r.release('e');
    expect(r.size).toBe(0);
  });
});

describe('configuration', () => {
  it('refuses a TLS key without a certificate, and min keepalive above max', () => {
    expect(configConflicts(loadConfig(serveConfig, { MQTT_TLS_KEY: '/k.pem' }))).toEqual([
      expect.stringMatching(/MQTT_TLS_CERT and MQTT_TLS_KEY/),
    ]);
    expect(configConflicts(loadConfig(serveConfig, { MQTT_KEEPALIVE_MIN: '60s', MQTT_KEEPALIVE_MAX: '30s' }))).toEqual([
      expect.stringMatching(/MQTT_KEEPALIVE_MIN/),
    ]);
    expect(configConflicts(loadConfig(serveConfig, {}))).toEqual([]);
  });
  it('names the variable of a bad value', () => {
    expect(() => loadConfig(serveConfig, { MQTT_MAX_PACKET_SIZE: 'huge' })).toThrow(/MQTT_MAX_PACKET_SIZE/);
  });
});

describe('listen addresses', () => {
  it('default to loopback: MQTT_HOST and BIND_HOST', () => {
    const c = loadConfig(serveConfig, {});
    expect(c.mqttHost).toBe('127.0.0.1');
    expect(c.bindHost).toBe('127.0.0.1');
  });
});
