import { fileURLToPath } from 'node:url';
import { freePort } from '@wattstream/infra';
import { instanceEnv, tempDir } from '@wattstream/infra/testing';
import { ServiceProcess } from '@wattstream/testkit';

export const probeCli = fileURLToPath(new URL('./fixtures/probe-cli.ts', import.meta.url));

/** The probe service as a child process on a free port. */
export async function probeProcess(env: Record<string, string>): Promise<ServiceProcess> {
  const port = await freePort();
  return new ServiceProcess({
    cli: probeCli,
    args: ['serve'],
    env: { LOG_LEVEL: 'warn', PROBE_PORT: String(port), ...instanceEnv(tempDir('probe')), ...env },
    httpUrl: `http://127.0.0.1:${port}`,
  });
}

/** `POST /v1/items`: `count` changes of `key`; the ce_ids of their events. */
export async function changeItems(
  baseUrl: string,
  key: string,
  count: number,
): Promise<{ key: string; ids: string[] }> {
  const res = await fetch(`${baseUrl}/v1/items`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ key, values: Array.from({ length: count }, (_, i) => `v${i}`) }),
  });
  if (res.status !== 201) throw new Error(`POST /v1/items: ${res.status} ${await res.text()}`);
  return { key, ids: ((await res.json()) as { ids: string[] }).ids };
}
