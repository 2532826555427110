import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../free-port.js';
import { tcpReady } from '../kafka-node.js';
import { ManagedProcess } from '../managed-process.js';
import { tempDir } from './temp.js';

export const MOSQUITTO_BINARY = process.env.MOSQUITTO ?? '/usr/sbin/mosquitto';

export interface TestMosquitto {
  url: string;
  port: number;
  process: ManagedProcess;
  /** Starts it again on the same port (after `stop` or `kill`). */
  restart(): Promise<void>;
  stop(): Promise<void>;
  destroy(): Promise<void>;
}

/**
 * Debian's Mosquitto 2 as a real reference broker on a free loopback port, anonymous access,
 * optional persistence (for outage tests) and extra `mosquitto.conf` lines.
 */
export async function startMosquitto(
  opts: { port?: number; persistence?: boolean; extraConfig?: string[] } = {},
): Promise<TestMosquitto> {
  if (!existsSync(MOSQUITTO_BINARY)) {
    throw new Error(`mosquitto not found at ${MOSQUITTO_BINARY}: apt-get install mosquitto (scripts/test.sh does)`);
  }
  const dir = tempDir('mosquitto');
  const port = opts.port ?? (await freePort());
  mkdirSync(join(dir, 'data'), { recursive: true });
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(
    conf,
    [
      `# wattstream instance ${dir}`,
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      `persistence ${opts.persistence ? 'true' : 'false'}`,
      `persistence_location ${join(dir, 'data')}/`,
      'log_dest stdout',
      'log_type error',
      'log_type warning',
      'max_queued_messages 100000',
      ...(opts.extraConfig ?? []),
      '',
    ].join('\n'),
  );
  const proc = new ManagedProcess({
    name: 'mosquitto',
    dir,
    command: MOSQUITTO_BINARY,
    args: ['-c', conf],
    ready: () => tcpReady(port),
    startTimeoutMs: 15_000,
  });
  await proc.start();
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    process: proc,
    restart: async () => {
      await proc.start();
    },
    stop: async () => {
      await proc.stop({ graceMs: 5000 });
    },
    destroy: async () => {
      await proc.stop({ graceMs: 5000 });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
