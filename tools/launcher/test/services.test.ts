import { tempDir } from '@wattstream/infra/testing';
import { loadConfig } from '@wattstream/platform';
import { describe, expect, it } from 'vitest';
import { chooseServices, launcherConfig, Pipeline, startWaves } from '../src/index.js';

describe('which services up starts, and in what order', () => {
  const pipeline = (env: Record<string, string>) =>
    new Pipeline(loadConfig(launcherConfig, { DATA_DIR: tempDir('launcher-services'), ...env }));

  it('starts every service by default, and only the named ones (plus users) with PIPELINE_SERVICES', () => {
    const all = pipeline({}).serviceNames;
    expect(all).toEqual(expect.arrayContaining(['users', 'ingest', 'social', 'notifications', 'gateway', 'edge-sim']));
    expect(pipeline({ PIPELINE_SERVICES: 'ingest, live,edge-sim' }).serviceNames).toEqual([
      'users',
      'ingest',
      'live',
      'edge-sim',
    ]);
  });

  it('refuses a name it does not know, naming the variable and the known services', () => {
    expect(() => pipeline({ PIPELINE_SERVICES: 'ingest,ingets' })).toThrow(
      expect.objectContaining({
        code: 'WS_CONFIG_INVALID',
        message: expect.stringMatching(/\n {2}- PIPELINE_SERVICES: no service named ingets \(known: users, ingest, /),
      }),
    );
    expect(() => chooseServices(['users', 'a'], ['b'])).toThrow(/no service named b/);
  });

  it('starts users alone first, the fleet alone last, and what calls others after them', () => {
    const waves = startWaves(pipeline({}).serviceNames);
    expect(waves[0]).toEqual(['users']);
    expect(waves.at(-1)).toEqual(['edge-sim']);
    const waveOf = (n: string) => waves.findIndex((w) => w.includes(n));
    expect(waveOf('notifications')).toBeGreaterThan(waveOf('mail'));
    expect(waveOf('gateway')).toBeGreaterThan(waveOf('training'));
    expect(waveOf('edge-sim')).toBeGreaterThan(waveOf('ingest'));
    expect(waves.flat().sort()).toEqual([...pipeline({}).serviceNames].sort());
    expect(startWaves(['users', 'ingest', 'edge-sim'])).toEqual([['users'], ['ingest'], ['edge-sim']]);
  });
});
