import { fileURLToPath } from 'node:url';
import type { TokenResponse } from '@wattstream/contracts';
import { freePort } from '@wattstream/infra';
import { instanceEnv, tempDir, testDatabase } from '@wattstream/infra/testing';
import { startService } from '@wattstream/kernel';
import { ServiceProcess, unique } from '@wattstream/testkit';
import { afterAll, beforeAll } from 'vitest';
import { usersService } from '../src/service.js';

export const usersCli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
export type Users = Awaited<ReturnType<typeof startUsers>>;

/** The users service in-process on its own fresh database (and the shared test Kafka). */
export async function startUsers(env: Record<string, string> = {}) {
  const db = await testDatabase('users');
  const dataDir = tempDir('users');
  const svc = await startService(usersService, {
    env: {
      ...process.env,
      LOG_LEVEL: 'silent',
      USERS_PORT: '0',
      DATA_DIR: dataDir,
      DATABASE_URL: db.url,
      OUTBOX_POLL: '200ms',
      ...env,
    },
  });
  return Object.assign(svc, {
    db,
    dataDir,
    async destroy() {
      await svc.stop();
      await db.drop();
    },
  });
}

/** The users service as a child process (for kill -9), on a free port. */
export async function usersProcess(env: Record<string, string>): Promise<ServiceProcess> {
  const port = await freePort();
  return new ServiceProcess({
    cli: usersCli,
    args: ['serve'],
    env: {
      LOG_LEVEL: 'warn',
      USERS_PORT: String(port),
      OUTBOX_POLL: '200ms',
      ...instanceEnv(tempDir('users-proc')),
      ...env,
    },
    httpUrl: `http://127.0.0.1:${port}`,
  });
}

export const PASSWORD = 'correct horse battery';

export async function api<T = unknown>(
  base: string,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...opts.headers,
    },
    ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
}

/** Registers a new account and logs in; its id and tokens. */
export async function signUp(
  base: string,
  opts: { accountType?: 'athlete' | 'coach'; name?: string } = {},
): Promise<{ id: string; email: string; tokens: TokenResponse }> {
  const email = `${unique(opts.name ?? 'rider')}@example.com`;
  const reg = await api<{ id: string }>(base, 'POST', '/v1/auth/register', {
    body: {
      email,
      password: PASSWORD,
      displayName: opts.name ?? 'Rider',
      ...(opts.accountType ? { accountType: opts.accountType } : {}),
    },
  });
  if (reg.status !== 201) throw new Error(`register: ${reg.status} ${JSON.stringify(reg.body)}`);
  const login = await api<TokenResponse>(base, 'POST', '/v1/auth/login', { body: { email, password: PASSWORD } });
  if (login.status !== 200) throw new Error(`login: ${login.status} ${JSON.stringify(login.body)}`);
  return { id: reg.body.id, email, tokens: login.body };
}

export const PROFILE = {
  ftp: 250,
  cp: 262,
  wPrime: 21_000,
  maxHr: 188,
  lthr: 168,
  weightKg: 71.5,
  powerZoneBounds: [0.55, 0.75, 0.9, 1.05, 1.2, 1.5],
  hrZoneBounds: [0.81, 0.9, 0.94, 1.0],
  units: 'metric',
};

/**
 * For a service's fault tests: the users service (tokens, JWKS) and a database for the service's
 * replicas, for the whole test file.
 */
export function usersAndDatabase(service: string) {
  let users: Users | undefined;
  let db: Awaited<ReturnType<typeof testDatabase>> | undefined;
  beforeAll(async () => {
    users = await startUsers();
    db = await testDatabase(service);
  }, 120_000);
  afterAll(async () => {
    await db?.drop();
    await users?.destroy();
  });
  return {
    usersUrl: () => (users as Users).url,
    databaseUrl: () => (db as NonNullable<typeof db>).url,
    jwks: () => `${(users as Users).url}/.well-known/jwks.json`,
  };
}
