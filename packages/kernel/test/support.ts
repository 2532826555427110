import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { freePort } from '@wattstream/infra';
import { instanceEnv, tempDir } from '@wattstream/infra/testing';
import { ServiceProcess } from '@wattstream/testkit';
import { exportJWK, generateKeyPair, type JWK } from 'jose';

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

export type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;

/** A key pair and a real HTTP server publishing its public half as a JWKS. */
export async function jwksServer(kid: string): Promise<{ keys: KeyPair; url: string; server: Server }> {
  const keys = await generateKeyPair('EdDSA', { extractable: true });
  const jwk: JWK = { ...(await exportJWK(keys.publicKey)), kid, alg: 'EdDSA', use: 'sig' };
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { keys, server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json` };
}
