import { Writable } from 'node:stream';
import { componentLogger, createLogger, isWattstreamError, port } from '@wattstream/platform';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineService, type RunningService, startService } from '../src/index.js';
import { jwksServer } from './support.js';

/** Every JSON line the service's logger writes. */
const lines: Record<string, unknown>[] = [];
const sink = new Writable({
  write(chunk: Buffer, _enc, done) {
    for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l));
    done();
  },
});

const chatty = defineService({
  name: 'kernel-log-levels-probe',
  description: 'logs one line per level from the service, a component and a child of it',
  port: port('LOG_PROBE_PORT', { default: 0, allowZero: true }),
  config: {},
  start(ctx) {
    const probe = componentLogger(ctx.logger, 'probe');
    const perEdge = probe.child({ edgeId: 'e-1' }); // made before any change: must follow them
    ctx.http.post('/v1/log', async (req) => {
      const mark = (req.body as { mark: string }).mark;
      for (const [who, log] of [
        ['service', ctx.logger],
        ['probe', probe],
        ['edge', perEdge],
      ] as const) {
        log.debug({ mark, who }, 'debug');
        log.info({ mark, who }, 'info');
        log.warn({ mark, who }, 'warn');
      }
      return { ok: true };
    });
  },
});

let users: Awaited<ReturnType<typeof jwksServer>>;
let svc: RunningService<unknown, unknown>;

const token = (roles: string[]) =>
  new SignJWT({ roles })
    .setProtectedHeader({ alg: 'EdDSA', kid: 'users-1', typ: 'JWT' })
    .setIssuer('wattstream')
    .setAudience('wattstream:user')
    .setSubject(`user-${roles.join('-')}`)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(users.keys.privateKey);

const levels = async (method: 'GET' | 'PUT', roles: string[] | null, body?: unknown) =>
  svc.http.inject({
    method,
    url: '/admin/log-levels',
    headers: roles ? { authorization: `Bearer ${await token(roles)}` } : {},
    ...(body === undefined ? {} : { payload: body as object }),
  });

/** Which `who@level` lines one POST /v1/log wrote. */
async function logged(mark: string): Promise<string[]> {
  await svc.http.inject({ method: 'POST', url: '/v1/log', payload: { mark } });
  return lines.filter((l) => l.mark === mark).map((l) => `${l.who}@${l.msg}`);
}

beforeAll(async () => {
  users = await jwksServer('users-1');
  svc = await startService(chatty, {
    env: { LOG_LEVEL: 'info', LOG_LEVELS: 'probe=debug', AUTH_JWKS_URL: users.url },
    logger: createLogger('kernel-log-levels-probe', 'info', {}, sink),
  });
});
afterAll(async () => {
  await svc?.stop();
  users?.server.close();
});

describe('log levels per component, at run time', () => {
  it('starts with LOG_LEVELS over LOG_LEVEL, and a child of a component follows the component', async () => {
    expect(await logged('start')).toEqual([
      'service@info',
      'service@warn',
      'probe@debug',
      'probe@info',
      'probe@warn',
      'edge@debug',
      'edge@info',
      'edge@warn',
    ]);
    expect(lines.find((l) => l.mark === 'start' && l.who === 'probe')?.component).toBe('probe');
  });

  it('is for admin accounts only', async () => {
    expect((await levels('GET', null)).statusCode).toBe(401);
    expect((await levels('GET', ['athlete'])).statusCode).toBe(403);
    expect((await levels('PUT', ['coach'], { level: 'debug' })).statusCode).toBe(403);
    const view = await levels('GET', ['admin']);
    expect(view.statusCode).toBe(200);
    expect(view.json()).toMatchObject({ level: 'info', components: { probe: { level: 'debug', own: true } } });
  });

  it('changes a component, the service and back, each applying to the next line', async () => {
    const quiet = await levels('PUT', ['admin'], { components: { probe: 'warn' } });
    expect(quiet.statusCode).toBe(200);
    expect(await logged('quiet')).toEqual(['service@info', 'service@warn', 'probe@warn', 'edge@warn']);

    await levels('PUT', ['admin'], { level: 'debug' });
    expect(await logged('loud')).toEqual(['service@debug', 'service@info', 'service@warn', 'probe@warn', 'edge@warn']);

    const back = await levels('PUT', ['admin'], { level: 'warn', components: { probe: null } });
    expect(back.json().components.probe).toEqual({ level: 'warn', own: false });
    expect(await logged('back')).toEqual(['service@warn', 'probe@warn', 'edge@warn']);

    const change = lines.find((l) => l.msg === 'log levels changed' && l.by === 'user-admin');
    expect(change).toMatchObject({ level: 'warn', change: { components: { probe: 'warn' } }, before: 'info' });
  });

  it('refuses an unknown level or component name with the field named, and changes nothing', async () => {
    const bad = await levels('PUT', ['admin'], { components: { probe: 'loud' } });
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json().errors)).toContain('components');
    expect((await levels('PUT', ['admin'], { components: { 'No Such': 'debug' } })).statusCode).toBe(400);
    expect((await levels('GET', ['admin'])).json().components.probe.level).toBe('warn');
  });

  it('names LOG_LEVELS when it does not parse', async () => {
    const err = await startService(chatty, { env: { LOG_LEVEL: 'silent', LOG_LEVELS: 'probe=loud' } }).catch(
      (e: unknown) => e,
    );
    expect(isWattstreamError(err)).toBe(true);
    expect((err as Error).message).toMatch(/LOG_LEVELS.*"probe=loud" is not one/);
  });
});
