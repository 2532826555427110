import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:net';
import { decodeSampleBatch, type EdgeStatus, parseMqttTopic, type SampleBatch } from '@wattstream/contracts';
import { tempDir } from '@wattstream/infra/testing';
import { loadConfig } from '@wattstream/platform';
import { waitFor as until } from '@wattstream/testkit';
import { Aedes } from 'aedes';
import { connect, type MqttClient } from 'mqtt';
import { type EdgeConfig, edgeConfig } from '../src/config.js';

export { until };

/** An in-process aedes broker on a free loopback port. */
export async function startAedes(): Promise<{ url: string; close(): Promise<void> }> {
  const broker = await Aedes.createBroker();
  const server: Server = createServer(broker.handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close();
        broker.close(() => resolve());
      }),
  };
}

export interface Received {
  seq: number;
  batch: SampleBatch;
  raw: string;
}

/** A subscriber that records every sample batch per device (in arrival order) and statuses. */
export class Collector {
  readonly byDevice = new Map<string, Received[]>();
  readonly statuses: EdgeStatus[] = [];
  readonly invalid: string[] = [];
  client: MqttClient;
  connected = false;

  constructor(url: string, clientId = `collector-${process.pid}-${Math.random().toString(36).slice(2, 8)}`) {
    this.client = connect(url, { clientId, clean: false, protocolVersion: 4, reconnectPeriod: 200 });
    this.client.on('connect', () => {
      this.connected = true;
      this.client.subscribe(['v1/samples/#', 'v1/status/#'], { qos: 1 });
    });
    this.client.on('close', () => {
      this.connected = false;
    });
    this.client.on('message', (topic, payload) => {
      const t = parseMqttTopic(topic);
      if (t?.kind === 'status') {
        this.statuses.push(JSON.parse(payload.toString()) as EdgeStatus);
        return;
      }
      if (t?.kind !== 'samples') return;
      const r = decodeSampleBatch(payload);
      if (!r.ok) {
        this.invalid.push(`${topic}: ${r.error.message}`);
        return;
      }
      const key = `${t.athleteId}/${t.deviceId}`;
      let list = this.byDevice.get(key);
      if (!list) {
        list = [];
        this.byDevice.set(key, list);
      }
      list.push({ seq: r.value.seq, batch: r.value, raw: payload.toString() });
    });
  }

  async ready(): Promise<void> {
    await until(() => this.connected, 10_000, 'collector connected');
    await new Promise((r) => setTimeout(r, 100)); // SUBACK
  }

  minBatches(): number {
    return Math.min(...[...this.byDevice.values()].map((l) => new Set(l.map((x) => x.seq)).size));
  }

  async close(): Promise<void> {
    await new Promise<void>((r) => this.client.end(true, {}, () => r()));
  }
}

/**
 * Per device: the first deliveries of each seq come in order 0,1,2,… with no gap; any repeated
 * seq is a redelivery with the identical payload; sample timestamps increase across batches.
 */
export function checkDelivery(list: Received[]): { maxSeq: number; duplicates: number; samples: number } {
  const firstBySeq = new Map<number, string>();
  const order: number[] = [];
  let duplicates = 0;
  for (const r of list) {
    const seen = firstBySeq.get(r.seq);
    if (seen !== undefined) {
      if (seen !== r.raw) throw new Error(`seq ${r.seq} delivered twice with different payloads`);
      duplicates++;
      continue;
    }
    firstBySeq.set(r.seq, r.raw);
    order.push(r.seq);
  }
  order.forEach((seq, i) => {
    if (seq !== i)
      throw new Error(`expected seq ${i} next, got ${seq} (order ${order.slice(Math.max(0, i - 3), i + 3).join(',')})`);
  });
  let lastTs = -Infinity;
  let samples = 0;
  for (const seq of order) {
    for (const s of (JSON.parse(firstBySeq.get(seq)!) as SampleBatch).samples) {
      if (s.ts <= lastTs) throw new Error(`ts went backwards at seq ${seq}: ${s.ts} after ${lastTs}`);
      lastTs = s.ts;
      samples++;
    }
  }
  return { maxSeq: order.length - 1, duplicates, samples };
}

export function testConfig(overrides: Record<string, string>): EdgeConfig & { dataDir: string } {
  return loadConfig(
    edgeConfig,
    {},
    {
      DATA_DIR: tempDir('edge-data'),
      EDGE_HTTP_PORT: '0',
      EDGE_FLUSH_INTERVAL: '100ms',
      MQTT_RECONNECT_MAX: '500ms',
      LOG_LEVEL: 'silent',
      ...overrides,
    },
  );
}
