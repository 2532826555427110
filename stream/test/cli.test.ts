import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@wattstream/infra/testing';
import { loadTokenKeys } from '@wattstream/platform';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyUserToken } from '../src/token.js';

const REPO = join(import.meta.dirname, '..', '..');
const cli = (args: string[], env: Record<string, string>) =>
  spawnSync(process.execPath, ['--conditions=source', '--import', 'tsx', 'stream/src/cli.ts', ...args], {
    cwd: REPO,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });

const dirs: string[] = [];
const dir = () => {
  const d = tempDir('token');
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('pnpm stream token', () => {
  it('mints a user token the live server accepts, with roles and watch claims', async () => {
    const dataDir = dir();
    const r = cli(['token', '--user', 'coach1', '--role', 'coach', '--watch', 'a1', '--watch', 'a2', '--ttl', '30m'], {
      DATA_DIR: dataDir,
    });
    expect(r.status).toBe(0);
    const keys = loadTokenKeys(
      { jwtPrivateKey: undefined, jwtPublicKey: undefined, jwtAlg: 'EdDSA', jwtIssuer: 'wattstream' },
      dataDir,
    );
    const claims = await verifyUserToken(keys, r.stdout.trim());
    expect(claims).toMatchObject({ sub: 'coach1', roles: ['coach'], watch: ['a1', 'a2'] });
    expect(claims.exp * 1000 - Date.now()).toBeGreaterThan(29 * 60_000);
    expect(claims.exp * 1000 - Date.now()).toBeLessThan(31 * 60_000);
  });

  it('refuses bad ids and unknown roles with a clear message', () => {
    const dataDir = dir();
    const bad = cli(['token', '--user', 'has space'], { DATA_DIR: dataDir });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('--user');
    const role = cli(['token', '--user', 'u1', '--role', 'wizard'], { DATA_DIR: dataDir });
    expect(role.status).not.toBe(0);
    expect(role.stderr).toContain('athlete, coach, admin');
  });

  it('names the variable of a bad setting', () => {
    const r = cli(['live'], { LIVE_PORT: 'abc', DATA_DIR: dir() });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('WS_CONFIG_INVALID');
    expect(r.stderr).toContain('LIVE_PORT');
  });
});
