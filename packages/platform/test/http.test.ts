import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createLogger, createRegistry, loadConfig, sharedConfig, startOpsServer } from '../src/index.js';

describe('ops server bind address', () => {
  it('binds BIND_HOST, loopback unless told otherwise', async () => {
    const spec = { bindHost: sharedConfig.bindHost };
    expect(loadConfig(spec, {}).bindHost).toBe('127.0.0.1');
    expect(loadConfig(spec, { BIND_HOST: '0.0.0.0' }).bindHost).toBe('0.0.0.0');
    const logger = createLogger('test', 'silent');
    const ops = await startOpsServer({
      port: 0,
      host: loadConfig(spec, {}).bindHost,
      registry: createRegistry('t'),
      logger,
    });
    try {
      expect((ops.server.address() as AddressInfo).address).toBe('127.0.0.1');
      const res = await fetch(`http://127.0.0.1:${ops.port}/metrics`);
      expect(res.status).toBe(200);
    } finally {
      await ops.close();
    }
  });
});

describe('ops server readiness', () => {
  it('answers 200 ready, 200 degraded with the reason, 503 not ready', async () => {
    const logger = createLogger('test', 'silent');
    const ops = await startOpsServer({ port: 0, host: '127.0.0.1', registry: createRegistry('t'), logger });
    let state: boolean | string | { degraded: string } = true;
    ops.addReadinessCheck('broker', () => state);
    const readyz = async () => {
      const res = await fetch(`http://127.0.0.1:${ops.port}/readyz`);
      return { code: res.status, body: await res.json() };
    };
    try {
      expect(await readyz()).toEqual({ code: 200, body: { status: 'ready', checks: { broker: 'ok' } } });
      state = { degraded: 'reconnecting' };
      expect(await readyz()).toEqual({ code: 200, body: { status: 'degraded', checks: { broker: 'reconnecting' } } });
      state = 'down';
      expect(await readyz()).toEqual({ code: 503, body: { status: 'not ready', checks: { broker: 'down' } } });
    } finally {
      await ops.close();
    }
  });
});
