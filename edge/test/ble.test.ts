import { createLogger } from '@wattstream/platform';
import { afterEach, describe, expect, it } from 'vitest';
import { BleManager } from '../src/ble/ble-manager.js';
import { FakeBleBinding } from '../src/ble/fake-binding.js';
import { type NoblePeripheral, nobleWithBindings } from '../src/ble/noble.js';
import type { Metrics } from '../src/decoders/index.js';
import { SensorHub } from '../src/sensors/hub.js';
import { bleSensorId, pairingFor } from '../src/sensors/pairing.js';
import { until } from './support.js';

const logger = createLogger('edge-test', 'silent');

const HRM = {
  '180d': { '2a37': { properties: ['notify'] } },
  '180f': { '2a19': { properties: ['read'], value: Buffer.from([87]) } },
};
const CSC = { '1816': { '2a5b': { properties: ['notify'] } } };

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

function setup(opts: { connectTimeoutMs?: number } = {}) {
  const binding = new FakeBleBinding({ advertIntervalMs: 50 });
  const noble = nobleWithBindings(binding);
  const samples: { athleteId: string; deviceId: string; ts: number; metrics: Metrics }[] = [];
  const hub = new SensorHub((athleteId, deviceId, ts, metrics) => samples.push({ athleteId, deviceId, ts, metrics }), {
    logger,
    mergeWindowMs: 0,
  });
  const manager = new BleManager({
    noble,
    hub,
    logger,
    connectTimeoutMs: opts.connectTimeoutMs ?? 300,
    discoveryTimeoutMs: 300,
    backoffMinMs: 30,
    backoffMaxMs: 200,
  });
  const pair = (address: string, athleteId: string) => {
    const p = pairingFor(bleSensorId(address), athleteId);
    if (p.transport !== 'ble') throw new Error('expected ble');
    hub.register(p);
    manager.add(p);
    return p.sensorId;
  };
  cleanup.push(() => manager.stop());
  return { binding, noble, hub, manager, samples, pair };
}

describe('BLE through real noble and a fake binding', () => {
  it('connects, reads the battery, subscribes and decodes notifications', async () => {
    const { binding, manager, samples, pair, hub } = setup();
    binding.addPeripheral({ id: 'c0ffee000001', name: 'HRM-Fake', services: HRM });
    const id = pair('c0ffee000001', 'ath-1');
    await manager.start();
    await until(() => manager.states()[id] === 'connected');
    expect(binding.sendNotification('c0ffee000001', '2a37', Buffer.from('16480004', 'hex'))).toBe(true);
    await until(() => samples.length === 1);
    expect(samples[0]).toMatchObject({ athleteId: 'ath-1', deviceId: id, metrics: { hr: 72, rr: [1000] } });
    expect(hub.snapshot()[0]).toMatchObject({ connected: true, batteryPercent: 87 });
  });

  it('one unresponsive sensor never blocks the others; its connects time out and are cancelled', async () => {
    const { binding, manager, samples, pair } = setup({ connectTimeoutMs: 150 });
    binding.addPeripheral({ id: 'dead00000001', services: HRM, unresponsive: true });
    binding.addPeripheral({ id: 'c0ffee000001', services: HRM });
    binding.addPeripheral({ id: 'c0ffee000002', services: CSC, silentDiscovery: false });
    const dead = pair('dead00000001', 'ath-0');
    const a = pair('c0ffee000001', 'ath-1');
    const b = pair('c0ffee000002', 'ath-2');
    await manager.start();
    await until(() => manager.states()[a] === 'connected' && manager.states()[b] === 'connected');
    binding.sendNotification('c0ffee000001', '2a37', Buffer.from('0648', 'hex'));
    await until(() => samples.some((s) => s.deviceId === a));
    await until(() => binding.calls.cancelConnect >= 2);
    expect(manager.states()[dead]).not.toBe('connected');
  });

  it('a sensor that connects but never answers discovery is dropped and retried', async () => {
    const { binding, manager, pair } = setup();
    binding.addPeripheral({ id: 'c0ffee000009', services: HRM, silentDiscovery: true });
    const id = pair('c0ffee000009', 'ath-9');
    await manager.start();
    await until(() => binding.calls.disconnect >= 2, 5000);
    expect(manager.states()[id]).not.toBe('connected');
  });

  it('reconnects after link loss without leaking listeners or doubling data, with a fresh counter baseline', async () => {
    const { binding, noble, manager, samples, pair } = setup();
    binding.addPeripheral({ id: 'c0ffee0000c5', services: CSC });
    const id = pair('c0ffee0000c5', 'ath-1');
    await manager.start();
    const peripheral = () =>
      (noble as unknown as { _peripherals: Record<string, NoblePeripheral> })._peripherals.c0ffee0000c5!;
    let revs = 0;
    let time = 0;
    const csc = () => {
      const b = Buffer.alloc(7);
      b[0] = 0x01;
      b.writeUInt32LE(revs, 1);
      b.writeUInt16LE(time, 5);
      return b;
    };
    for (let cycle = 0; cycle < 5; cycle++) {
      await until(() => manager.states()[id] === 'connected');
      // the sensor restarts its counters at every connection (sensors.md §1.3)
      revs = 0;
      time = 0;
      const before = samples.length;
      for (let k = 0; k < 3; k++) {
        binding.sendNotification('c0ffee0000c5', '2a5b', csc());
        await until(() => samples.length === before + k + 1);
        revs += 2;
        time += 1024;
      }
      // exactly one sample per notification: no listener from an earlier connection fired
      expect(samples.length - before).toBe(3);
      const speeds = samples.slice(before).map((s) => s.metrics.speed);
      expect(speeds[0]).toBeUndefined(); // new baseline, not a negative or huge speed
      expect(speeds.slice(1)).toEqual([4.21, 4.21]);
      expect(peripheral().listenerCount('disconnect')).toBeLessThanOrEqual(1);
      binding.dropConnection('c0ffee0000c5');
      await until(() => manager.states()[id] !== 'connected');
    }
    expect(peripheral().listenerCount('connect')).toBe(0);
    expect(peripheral().listenerCount('servicesDiscover')).toBe(0);
  });
});
