import { createLogger } from '@wattstream/platform';
import { afterEach, describe, expect, it } from 'vitest';
import { AntManager } from '../src/ant/ant-manager.js';
import { FakeAntStick } from '../src/ant/fake-stick.js';
import { buildBroadcastFrame, parseDataFrame } from '../src/ant/frame.js';
import { type AntStick, loadAntPlus } from '../src/ant/stick.js';
import { createDecoder, type Metrics } from '../src/decoders/index.js';
import { SensorHub } from '../src/sensors/hub.js';
import { antSensorId, pairingFor } from '../src/sensors/pairing.js';
import { hex, reading } from './helpers.js';
import { until } from './support.js';

const logger = createLogger('edge-test', 'silent');
const tick = () => new Promise((r) => setTimeout(r, 5));

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

describe('ANT frames', () => {
  it('parses a real extended broadcast frame (incyclist-ant-plus test vector) and verifies its checksum', () => {
    const buf = hex('a4144e0050ffffff82002300e0f4ed0b0510006800ad1cce');
    const r = parseDataFrame(buf);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.frame).toMatchObject({ channel: 0, deviceNumber: 60916, deviceType: 11, transmissionType: 5 });
    const page = reading(createDecoder({ transport: 'ant', deviceType: 11 }).decode(r.frame.data, Date.now()));
    expect(page.details).toMatchObject({ page: 0x50, manufacturerId: 130, modelNumber: 35 });
    const corrupt = Buffer.from(buf);
    corrupt[6] = 0x00;
    expect(parseDataFrame(corrupt)).toEqual({ ok: false, reason: 'checksum mismatch' });
  });

  it('round-trips a built frame with channel ID and RSSI', () => {
    const f = buildBroadcastFrame(0, hex('10 05 b4 5a e8 03 fa 00'), {
      deviceNumber: 12345,
      deviceType: 11,
      rssi: -60,
    });
    const r = parseDataFrame(f);
    expect(r).toMatchObject({ ok: true, frame: { deviceNumber: 12345, deviceType: 11, rssi: -60 } });
  });
});

function setup(stickOpts: { canScan?: boolean } = {}) {
  const stick = new FakeAntStick(stickOpts);
  const samples: { deviceId: string; metrics: Metrics }[] = [];
  const hub = new SensorHub((_a, deviceId, _ts, metrics) => samples.push({ deviceId, metrics }), {
    logger,
    mergeWindowMs: 0,
  });
  const manager = new AntManager({
    stick: stick as unknown as AntStick,
    lib: loadAntPlus(),
    hub,
    logger,
    lostAfterMs: 300,
    reattachMinMs: 20,
  });
  const pair = (type: number, num: number, athlete: string) => {
    const p = pairingFor(antSensorId(type, num), athlete);
    if (p.transport !== 'ant') throw new Error('ant expected');
    hub.register(p);
    manager.add(p);
    return p.sensorId;
  };
  cleanup.push(() => manager.stop());
  return { stick, hub, manager, samples, pair };
}

describe('ANT+ through the real ant-plus library and a fake stick', () => {
  it('scan mode: one channel reads many devices, routed by channel ID; unpaired ones are ignored', async () => {
    const { stick, manager, samples, pair } = setup();
    const hr = pair(120, 12345, 'ath-1');
    const power = pair(11, 4242, 'ath-2');
    const fec = pair(17, 777, 'ath-3');
    manager.start();
    await until(() => manager.activeMode === 'scan' && stick.isScanning());
    await until(() => stick.broadcast(120, 12345, hex('04 ff 00 04 00 08 10 49')));
    stick.broadcast(120, 999, hex('04 ff 00 04 00 08 10 55')); // someone else's strap
    stick.broadcast(11, 4242, hex('12 01 00 5a 00 00 00 00'));
    stick.broadcast(11, 4242, hex('12 02 01 5a 55 05 80 02'));
    stick.broadcast(17, 777, hex('19 01 55 c8 00 c8 00 30'));
    stick.broadcast(120, 12345, hex('84 ff 00 08 55 0b 11 49'));
    await until(() => samples.length >= 4);
    expect(samples).toEqual([
      { deviceId: hr, metrics: { hr: 73 } },
      { deviceId: power, metrics: { cadence: 90.022, power: 189 } },
      { deviceId: fec, metrics: { cadence: 85, power: 200 } },
      { deviceId: hr, metrics: { hr: 73, rr: [833] } },
    ]);
  });

  it('scan mode: a sensor that goes silent is marked gone and restarts from a new baseline', async () => {
    const { stick, manager, hub, samples, pair } = setup();
    const power = pair(11, 4242, 'ath-2');
    manager.start();
    await until(() => stick.isScanning());
    stick.broadcast(11, 4242, hex('12 01 00 5a 00 00 00 00'));
    stick.broadcast(11, 4242, hex('12 02 01 5a 55 05 80 02'));
    await until(() => samples.length === 1);
    await until(() => hub.snapshot()[0]!.connected === false, 3000);
    // back, with counters restarted by the power meter: the first page is only a baseline
    stick.broadcast(11, 4242, hex('12 00 00 5a 00 00 00 00'));
    stick.broadcast(11, 4242, hex('12 01 01 5a 55 05 80 02'));
    await until(() => samples.length === 2);
    expect(samples[1]).toEqual({ deviceId: power, metrics: { cadence: 90.022, power: 189 } });
    expect(hub.snapshot()[0]).toMatchObject({ connected: true, connects: 2 });
  });

  it('attach mode (stick without scan): one channel per sensor, re-attached after loss', async () => {
    const { stick, manager, hub, samples, pair } = setup({ canScan: false });
    const hr = pair(120, 12345, 'ath-1');
    const sc = pair(121, 5, 'ath-1');
    manager.start();
    await until(() => manager.activeMode === 'attach');
    await until(
      () =>
        stick.broadcast(120, 12345, hex('00 ff ff ff 00 04 10 48')) &&
        stick.broadcast(121, 5, hex('00 04 0a 00 00 04 14 00')),
    );
    stick.broadcast(121, 5, hex('00 08 0b 00 00 08 16 00'));
    await until(() => samples.length === 3);
    expect(samples.map((s) => s.deviceId)).toEqual([hr, sc, sc]);
    expect(samples[2]!.metrics).toMatchObject({ cadence: 60 });
    stick.lose(120, 12345);
    await until(() => hub.snapshot().find((s) => s.sensorId === hr)!.connected === false);
    // ant-plus unassigned the channel; the manager attaches it again
    await until(() => stick.broadcast(120, 12345, hex('00 ff ff ff 00 08 11 4a')));
    await tick();
    await until(() => samples.some((s) => s.deviceId === hr && s.metrics.hr === 74));
  });
});
