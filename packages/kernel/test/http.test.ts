import { Type } from '@sinclair/typebox';
import { port } from '@wattstream/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineService, kernelError, notFound, startService } from '../src/index.js';

const Body = Type.Object(
  { name: Type.String({ maxLength: 20 }), ftp: Type.Integer({ minimum: 50 }) },
  { additionalProperties: false },
);

const def = defineService({
  name: 'kernel-http-test',
  description: 'a service with routes only',
  port: port('KERNEL_HTTP_TEST_PORT', { default: 0, allowZero: true }),
  config: {},
  start(ctx) {
    let ready: true | string = true;
    ctx.readiness.add('switch', () => ready);
    ctx.http.post('/v1/things', { schema: { body: Body } }, async (req, reply) =>
      reply.status(201).send({ got: req.body.name }),
    );
    ctx.http.get('/v1/missing', async () => {
      throw notFound('thing');
    });
    ctx.http.get('/v1/boom', async () => {
      throw new Error('secret database password in a stack trace');
    });
    ctx.http.get('/v1/teapot', async () => {
      throw kernelError('WS_HTTP_CONFLICT', 'already there', { statusCode: 409 });
    });
    return { setReady: (r: true | string) => (ready = r) };
  },
});

let svc: Awaited<ReturnType<typeof startDef>>;
const startDef = () => startService(def, { env: { LOG_LEVEL: 'silent' } });
beforeAll(async () => {
  svc = await startDef();
});
afterAll(() => svc.stop());

describe('kernel HTTP', () => {
  it('answers a valid request and refuses unknown fields with the field named (mass assignment)', async () => {
    const ok = await svc.http.inject({ method: 'POST', url: '/v1/things', payload: { name: 'a', ftp: 250 } });
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toEqual({ got: 'a' });
    const bad = await svc.http.inject({
      method: 'POST',
      url: '/v1/things',
      payload: { name: 'a', ftp: 250, roles: ['admin'] },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
    const p = bad.json();
    expect(p).toMatchObject({
      status: 400,
      code: 'WS_HTTP_VALIDATION',
      type: 'urn:wattstream:error:WS_HTTP_VALIDATION',
    });
    expect(p.errors).toEqual([{ field: 'body.roles', message: 'unknown field "roles"' }]);
  });

  it('names the wrong field of a value out of range', async () => {
    const r = await svc.http.inject({ method: 'POST', url: '/v1/things', payload: { name: 'a', ftp: 10 } });
    expect(r.statusCode).toBe(400);
    expect(r.json().errors[0].field).toBe('body.ftp');
  });

  it('maps coded errors, unknown routes, bodies too large and malformed JSON to problem+json', async () => {
    expect((await svc.http.inject({ url: '/v1/missing' })).json()).toMatchObject({
      status: 404,
      code: 'WS_HTTP_NOT_FOUND',
    });
    expect((await svc.http.inject({ url: '/v1/teapot' })).json()).toMatchObject({
      status: 409,
      code: 'WS_HTTP_CONFLICT',
    });
    expect((await svc.http.inject({ url: '/nowhere' })).json()).toMatchObject({
      status: 404,
      code: 'WS_HTTP_NOT_FOUND',
    });
    const big = await svc.http.inject({
      method: 'POST',
      url: '/v1/things',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ name: 'x'.repeat(300 * 1024), ftp: 100 }),
    });
    expect(big.statusCode).toBe(413);
    expect(big.json().code).toBe('WS_HTTP_BODY_TOO_LARGE');
    const broken = await svc.http.inject({
      method: 'POST',
      url: '/v1/things',
      headers: { 'content-type': 'application/json' },
      payload: '{"name":',
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().code).toBe('WS_HTTP_MALFORMED_BODY');
  });

  it('hides the cause of a 500 from the caller', async () => {
    const r = await svc.http.inject({ url: '/v1/boom' });
    expect(r.statusCode).toBe(500);
    expect(r.json().code).toBe('WS_INTERNAL');
    expect(r.body).not.toContain('password');
  });

  it('keeps a caller request id, or makes one, and echoes it', async () => {
    const kept = await svc.http.inject({ url: '/v1/missing', headers: { 'x-request-id': 'abc-123' } });
    expect(kept.headers['x-request-id']).toBe('abc-123');
    expect(kept.json().requestId).toBe('abc-123');
    const made = await svc.http.inject({ url: '/v1/missing', headers: { 'x-request-id': 'bad id with spaces' } });
    expect(made.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('is ready only while every check passes, and says which failed', async () => {
    expect((await svc.http.inject({ url: '/readyz' })).statusCode).toBe(200);
    svc.result.setReady('upstream down');
    const r = await svc.http.inject({ url: '/readyz' });
    expect(r.statusCode).toBe(503);
    expect(r.json()).toMatchObject({ status: 'not ready', checks: { switch: 'upstream down' } });
    svc.result.setReady(true);
    expect((await svc.http.inject({ url: '/healthz' })).statusCode).toBe(200);
  });

  it('counts requests per route template and status (RED metrics), not per URL', async () => {
    await svc.http.inject({ method: 'POST', url: '/v1/things', payload: { name: 'b', ftp: 100 } });
    const text = (await svc.http.inject({ url: '/metrics' })).body;
    expect(text).toMatch(
      /wattstream_http_requests_total\{[^}]*method="POST",route="\/v1\/things",status="201"[^}]*\} [1-9]/,
    );
    expect(text).toMatch(
      /wattstream_http_request_duration_seconds_count\{[^}]*route="\/v1\/things",status_class="2xx"[^}]*\} [1-9]/,
    );
    expect(text).not.toMatch(/route="\/metrics"/);
  });

  it('serves an OpenAPI 3.1 document of its routes, without the ops endpoints', () => {
    const doc = svc.http.swagger() as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toContain('/v1/things');
    expect(Object.keys(doc.paths)).not.toContain('/metrics');
  });

  it('listens on loopback by default and answers over a real socket', async () => {
    expect(svc.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const r = await fetch(`${svc.url}/healthz`);
    expect(r.status).toBe(200);
  });
});

describe('kernel config', () => {
  it('refuses a bad setting naming the variable, and runs cross-setting checks', async () => {
    await expect(startService(def, { env: { KERNEL_HTTP_TEST_PORT: 'x', LOG_LEVEL: 'silent' } })).rejects.toThrow(
      /KERNEL_HTTP_TEST_PORT must be a TCP port/,
    );
    const checked = defineService({ ...def, check: () => ['A_SOFT must not exceed A_MAX'] });
    await expect(startService(checked, { env: { LOG_LEVEL: 'silent' } })).rejects.toMatchObject({
      code: 'WS_CONFIG_INVALID',
      message: expect.stringContaining('A_SOFT must not exceed A_MAX'),
    });
  });
});
