import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { freePort } from '../src/free-port.js';
import { isPortFree } from '../src/prereqs.js';

const run = promisify(execFile);
const source = fileURLToPath(new URL('../src/free-port.ts', import.meta.url));
const ephemeralLow = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);

/** Ports picked by a separate Node process, as a parallel test worker would. */
async function portsFromChild(count: number): Promise<number[]> {
  const script = `const { freePort } = await import(${JSON.stringify(source)});
    const ports = []; for (let i = 0; i < ${count}; i++) ports.push(await freePort());
    console.log(JSON.stringify(ports));`;
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
  return JSON.parse(stdout) as number[];
}

describe('freePort', () => {
  it('picks a free port below the ephemeral range, where outgoing connections cannot take it', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThanOrEqual(20_000);
    expect(port).toBeLessThan(ephemeralLow);
    expect(await isPortFree(port)).toBe(true);
  });

  it('never gives the same port to two processes picking at the same time', async () => {
    const [a, b] = await Promise.all([portsFromChild(150), portsFromChild(150)]);
    const all = [...(a ?? []), ...(b ?? [])];
    expect(all).toHaveLength(300);
    expect(new Set(all).size).toBe(300);
  }, 60_000);
});
