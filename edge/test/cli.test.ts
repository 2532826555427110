import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { tempDir } from '@wattstream/infra/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeCommand } from '../src/decode-command.js';

const CLI = resolve(import.meta.dirname, '../src/cli.ts');
const run = promisify(execFile);
const edge = async (args: string[], env: Record<string, string> = {}) => {
  try {
    const r = await run(process.execPath, ['--conditions=source', '--import', 'tsx', CLI, ...args], {
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
};
const dataDir = tempDir('edge-cli');
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('edge decode', () => {
  it('prints the documented JSON line per payload, later ones using earlier state', async () => {
    const r = await edge([
      'decode',
      '--char',
      '2a5b',
      '--hex',
      '03 0a 00 00 00 00 04 05 00 00 04',
      '--hex',
      '030e00000000 0c 0700000c',
      '--wheel-circumference',
      '2000',
    ]);
    expect(r.code).toBe(0);
    expect(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([
      { hex: '030a000000000405000004', ok: true, sample: { distance: 0 }, details: {} },
      { hex: '030e000000000c0700000c', ok: true, sample: { speed: 4, distance: 8, cadence: 60 }, details: {} },
    ]);
  }, 90_000);

  it('gives typed errors and exit codes (1 = a payload failed, 2 = bad arguments)', () => {
    expect(decodeCommand({ ant: '120', hex: ['04ff0004'] })).toEqual({
      lines: [
        JSON.stringify({
          hex: '04ff0004',
          ok: false,
          error: { code: 'WS_EDGE_DECODE_TRUNCATED', message: 'an ANT+ data page is 8 bytes; got 4' },
        }),
      ],
      exitCode: 1,
    });
    expect(decodeCommand({ char: '2a99', hex: ['00'] }).exitCode).toBe(2);
    expect(decodeCommand({ char: '2a37', hex: ['0g'] })).toMatchObject({ exitCode: 2 });
    expect(JSON.parse(decodeCommand({ char: '2a37', ant: '120', hex: ['00'] }).lines[0]!).error.code).toBe(
      'WS_EDGE_HEX_INVALID',
    );
    expect(JSON.parse(decodeCommand({ ant: '11', hex: ['10 05 b4 5a e8 03 fa 00'] }).lines[0]!)).toMatchObject({
      ok: true,
      sample: { power: 250, cadence: 90 },
    });
  });
});

describe('edge pair / unpair / status', () => {
  it('stores pairings in DATA_DIR/edge/pairings.json and reports them', async () => {
    const env = { DATA_DIR: dataDir };
    // Each spawn is a cold tsx start (4 s idle, far more on a busy machine): independent ones run together.
    const [p, bad] = await Promise.all([
      edge(['pair', 'ant-120-12345', '--athlete', 'ath-7', '--name', 'chest strap'], env),
      edge(['pair', 'usb-1', '--athlete', 'ath-7'], env),
    ]);
    expect(p.code, p.stderr).toBe(0);
    expect(JSON.parse(p.stdout)).toMatchObject({
      sensorId: 'ant-120-12345',
      athleteId: 'ath-7',
      transport: 'ant',
      deviceType: 120,
      deviceNumber: 12345,
    });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('WS_EDGE_SENSOR_ID');
    const s = await edge(['status', '--json'], env);
    expect(JSON.parse(s.stdout)).toEqual({
      agent: 'not running',
      queue: { depth: 0, bytes: 0 },
      sensors: [{ sensorId: 'ant-120-12345', athleteId: 'ath-7', name: 'chest strap', connected: false }],
    });
    expect((await edge(['unpair', 'ant-120-12345'], env)).code).toBe(0);
    const again = await edge(['unpair', 'ant-120-12345'], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('WS_EDGE_SENSOR_NOT_PAIRED');
  }, 180_000);

  it('replay refuses an athlete or device id that no topic can carry, before starting anything', async () => {
    const r = await edge(['replay', 'missing.fit', '--athlete', 'ok', '--device', 'a/b'], { DATA_DIR: dataDir });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('--device must be 1–64 characters');
  }, 90_000);

  it('every command has --help', async () => {
    const r = await edge(['simulate', '--help']);
    expect(r.stdout).toContain('--athletes <n>');
    expect(r.stdout).toContain('--seed <n>');
  }, 90_000);
});
