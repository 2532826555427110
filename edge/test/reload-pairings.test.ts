import { rmSync } from 'node:fs';
import { createLogger } from '@wattstream/platform';
import { afterEach, describe, expect, it } from 'vitest';
import { EdgeAgent } from '../src/agent.js';
import { type AntStick, loadAntPlus } from '../src/ant/stick.js';
import { nobleWithBindings } from '../src/ble/noble.js';
import type { Pairing } from '../src/sensors/pairing.js';
import { Simulation } from '../src/sim/simulation.js';
import { Collector, startAedes, testConfig, until } from './support.js';

const logger = createLogger('edge-test', 'silent');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

describe('reload-pairings on v1/commands/{edgeId}', () => {
  it('stops reading unpaired sensors and starts reading newly paired ones, over BLE and ANT+', async () => {
    const broker = await startAedes();
    cleanup.push(() => broker.close());
    const config = testConfig({ MQTT_URL: broker.url, EDGE_ID: 'edge-reload' });
    cleanup.push(() => rmSync(config.dataDir, { recursive: true, force: true }));
    const simulation = new Simulation({ athletes: 2, seed: 7, hz: 4 });
    const ble = simulation.pairings.filter((p) => p.transport === 'ble');
    const ant = simulation.pairings.filter((p) => p.transport === 'ant');
    const [ble0, ble1] = ble;
    const [ant0, ant1] = ant;
    if (!ble0 || !ble1 || !ant0 || !ant1) throw new Error('the simulation should pair two BLE and two ANT+ sensors');

    // The pairings file as the agent would read it again; it starts with one sensor per transport.
    let paired: Pairing[] = [ble0, ant0];
    const agent = new EdgeAgent({
      config,
      logger,
      pairings: paired,
      pairingsSource: () => paired,
      noble: nobleWithBindings(simulation.binding),
      ant: { stick: simulation.stick as unknown as AntStick, lib: loadAntPlus() },
      http: false,
      bleConnectConcurrency: 4,
    });
    await agent.start();
    simulation.start();
    cleanup.push(async () => {
      simulation.stop();
      await agent.stop({ drainMs: 0 });
    });
    const admin = new Collector(broker.url);
    cleanup.push(() => admin.close());
    await admin.ready();
    const batches = (sensorId: string) =>
      [...admin.byDevice].filter(([k]) => k.endsWith(`/${sensorId}`)).reduce((n, [, list]) => n + list.length, 0);

    await until(() => batches(ble0.sensorId) > 0 && batches(ant0.sensorId) > 0, 15_000, 'the first sensors publishing');
    expect([batches(ble1.sensorId), batches(ant1.sensorId)]).toEqual([0, 0]);

    paired = [ble1, ant1];
    await sleep(300); // the agent's SUBACK for the commands topic
    admin.client.publish(
      'v1/commands/edge-reload',
      JSON.stringify({ id: 'r1', type: 'reload-pairings', ts: Date.now() }),
      { qos: 1 },
    );
    await until(
      () => batches(ble1.sensorId) > 0 && batches(ant1.sensorId) > 0,
      15_000,
      'the newly paired sensors publishing',
    );
    expect(
      agent.hub
        .snapshot()
        .map((s) => s.sensorId)
        .sort(),
    ).toEqual([ble1.sensorId, ant1.sensorId].sort());

    // The radio link is released too: the unpaired strap is free for another receiver.
    await until(() => !simulation.binding.isConnected(ble0.address), 5000, 'the unpaired BLE sensor disconnected');
    expect(simulation.binding.isConnected(ble1.address)).toBe(true);
    // What the unpaired sensors had read before the reload is flushed; after that nothing more comes.
    await sleep(1000);
    const frozen = [batches(ble0.sensorId), batches(ant0.sensorId)];
    await sleep(1500);
    expect([batches(ble0.sensorId), batches(ant0.sensorId)]).toEqual(frozen);
    expect(await agent.metrics.registry.getSingleMetricAsString('wattstream_edge_commands_total')).toMatch(
      /type="reload-pairings",result="done"[^}]*\} 1/,
    );
  });
});
