import { connect } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { startMosquitto, type TestMosquitto } from '../src/testing/index.js';

let broker: TestMosquitto | undefined;
afterAll(async () => broker?.destroy());

// A raw MQTT 3.1.1 CONNECT (client id "t"), answered by CONNACK 0x20 0x02 0x00 0x00.
const CONNECT = Buffer.from([0x10, 0x0d, 0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x3c, 0x00, 0x01, 0x74]);

function connack(port: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1' }, () => s.write(CONNECT));
    s.once('data', (d) => {
      s.destroy();
      resolve(d);
    });
    s.once('error', reject);
  });
}

describe('test Mosquitto', () => {
  it('starts on a free port, answers MQTT, and restarts after a kill', async () => {
    broker = await startMosquitto();
    expect([...(await connack(broker.port))]).toEqual([0x20, 0x02, 0x00, 0x00]);
    broker.process.kill('SIGKILL');
    await broker.process.waitForExit();
    await expect(connack(broker.port)).rejects.toThrow();
    await broker.restart();
    expect([...(await connack(broker.port))]).toEqual([0x20, 0x02, 0x00, 0x00]);
  });
});
