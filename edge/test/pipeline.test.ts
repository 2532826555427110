import { rmSync } from 'node:fs';
import { startMosquitto } from '@wattstream/infra/testing';
import { createLogger } from '@wattstream/platform';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulatedEdge } from '../src/sim/run.js';
import { Collector, checkDelivery, startAedes, testConfig, until } from './support.js';

const logger = createLogger('edge-test', 'silent');
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function fullPath(url: string, edgeId: string) {
  const collector = new Collector(url);
  cleanup.push(() => collector.close());
  await collector.ready();
  const config = testConfig({ MQTT_URL: url, EDGE_ID: edgeId });
  cleanup.push(() => rmSync(config.dataDir, { recursive: true, force: true }));
  // 4 athletes, mixed: 2 on BLE (HR strap + power meter), 2 on ANT+ (HR + FE-C trainer)
  const edge = await startSimulatedEdge({ config, logger, simulation: { athletes: 4, seed: 42, hz: 4 }, http: false });
  cleanup.push(() => edge.stop({ drainMs: 0 }));
  await edge.ready(15_000);
  await until(() => collector.byDevice.size === 8 && collector.minBatches() >= 6, 15_000, 'batches from all 8 devices');
  await edge.stop({ drainMs: 5000 });
  await until(() => collector.statuses.some((s) => s.state === 'offline'), 5000, 'offline status');
  expect(collector.invalid).toEqual([]);
  const metricsSeen = new Set<string>();
  for (const [device, list] of collector.byDevice) {
    const r = checkDelivery(list);
    expect(r.maxSeq, device).toBeGreaterThanOrEqual(5);
    for (const x of list) for (const s of x.batch.samples) for (const k of Object.keys(s)) metricsSeen.add(k);
  }
  // the decoders produced every metric the simulated sensors carry
  expect([...metricsSeen].sort()).toEqual(['cadence', 'distance', 'hr', 'power', 'rr', 'speed', 'ts']);
  const online = collector.statuses.find((s) => s.state === 'online');
  expect(online).toMatchObject({ state: 'online', version: '0.1.0' });
  // everything read was acknowledged before the graceful stop finished
  expect(edge.agent.queue.depth).toBe(0);
  return collector;
}

describe('fake radios → decoders → publisher → real broker', () => {
  it('aedes (in-process): every device publishes contiguous seqs with valid v1 batches', async () => {
    const broker = await startAedes();
    cleanup.push(() => broker.close());
    await fullPath(broker.url, 'edge-aedes');
  });

  it('Debian Mosquitto: the same path against the reference broker', async () => {
    const mosquitto = await startMosquitto();
    cleanup.push(() => mosquitto.destroy());
    await fullPath(mosquitto.url, 'edge-mosq');
  });

  it('logs and counts rejections published on v1/errors/{edgeId}', async () => {
    const broker = await startAedes();
    cleanup.push(() => broker.close());
    const config = testConfig({ MQTT_URL: broker.url, EDGE_ID: 'edge-rej' });
    cleanup.push(() => rmSync(config.dataDir, { recursive: true, force: true }));
    const edge = await startSimulatedEdge({ config, logger, simulation: { athletes: 1, seed: 1 }, http: false });
    cleanup.push(() => edge.stop({ drainMs: 0 }));
    await until(() => edge.agent.publisher.connected);
    const rejected: unknown[] = [];
    edge.agent.publisher.on('rejected', (e) => rejected.push(e));
    const admin = new Collector(broker.url);
    cleanup.push(() => admin.close());
    await admin.ready();
    const error = {
      code: 'WS_CONTRACT_SCHEMA',
      message: 'invalid SampleBatch: samples/0/power: must be <= 3000',
      topic: 'v1/samples/sim-0001/x',
      seq: 3,
      ts: Date.now(),
    };
    await until(() => edge.agent.publisher.connected);
    await new Promise((r) => setTimeout(r, 200)); // the agent's SUBACK
    admin.client.publish('v1/errors/edge-rej', JSON.stringify(error), { qos: 1 });
    admin.client.publish('v1/errors/edge-rej', 'not json', { qos: 1 });
    await until(() => rejected.length === 1, 5000, 'rejection received');
    expect(rejected[0]).toEqual(error);
    const metrics = await edge.agent.metrics.registry.getSingleMetricAsString('wattstream_edge_rejections_total');
    expect(metrics).toMatch(/wattstream_edge_rejections_total\{[^}]*code="WS_CONTRACT_SCHEMA"[^}]*\} 1/);
  });

  it('executes commands from v1/commands/{edgeId} once each: flush publishes now, ping reports the status', async () => {
    const broker = await startAedes();
    cleanup.push(() => broker.close());
    // a batching interval of a minute: without the flush command nothing would arrive during the test
    const config = testConfig({ MQTT_URL: broker.url, EDGE_ID: 'edge-cmd', EDGE_FLUSH_INTERVAL: '60s' });
    cleanup.push(() => rmSync(config.dataDir, { recursive: true, force: true }));
    const edge = await startSimulatedEdge({ config, logger, simulation: { athletes: 1, seed: 1 }, http: false });
    cleanup.push(() => edge.stop({ drainMs: 0 }));
    const admin = new Collector(broker.url);
    cleanup.push(() => admin.close());
    await admin.ready();
    await until(() => edge.agent.publisher.connected && admin.statuses.some((s) => s.state === 'online'));
    await new Promise((r) => setTimeout(r, 1500)); // the agent's SUBACK, and sensor readings to batch
    expect(admin.byDevice.size).toBe(0);
    const command = (id: string, type: string) => JSON.stringify({ id, type, ts: Date.now() });

    admin.client.publish('v1/commands/edge-cmd', command('c1', 'flush'), { qos: 1 });
    await until(() => admin.byDevice.size > 0, 5000, 'batches published on flush');

    const statuses = admin.statuses.length;
    admin.client.publish('v1/commands/edge-cmd', command('c2', 'ping'), { qos: 1 });
    admin.client.publish('v1/commands/edge-cmd', command('c2', 'ping'), { qos: 1 }); // a redelivery
    admin.client.publish('v1/commands/edge-cmd', '{"id":"c3","type":"reboot"}', { qos: 1 });
    admin.client.publish('v1/commands/edge-cmd', command('c4', 'reload-pairings'), { qos: 1 });
    const counted = () => edge.agent.metrics.registry.getSingleMetricAsString('wattstream_edge_commands_total');
    await until(() => admin.statuses.length > statuses, 5000, 'status after ping');
    let text = '';
    for (let i = 0; i < 50 && !text.includes('unsupported'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      text = await counted();
    }
    expect(text).toMatch(/type="flush",result="done"[^}]*\} 1/);
    expect(text).toMatch(/type="ping",result="done"[^}]*\} 1/);
    expect(text).toMatch(/type="ping",result="duplicate"[^}]*\} 1/);
    expect(text).toMatch(/type="unknown",result="invalid"[^}]*\} 1/);
    expect(text).toMatch(/type="reload-pairings",result="unsupported"[^}]*\} 1/);
    expect(admin.statuses.at(-1)).toMatchObject({ state: 'online', queueDepth: expect.any(Number) });
    expect(admin.statuses.length).toBe(statuses + 1); // the redelivered ping was not answered again
    expect(edge.agent.publisher.connected).toBe(true);
  });
});
