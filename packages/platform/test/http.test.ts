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
