import { readFileSync } from 'node:fs';
import {
  cloudEventHeaders,
  compile,
  GroupDefinition,
  type GroupUpdated,
  isValidId,
  kafkaTopics,
  LiveErrorCode,
} from '@wattstream/contracts';
import { AuthErrorCode, isWattstreamError, type Producer } from '@wattstream/platform';
import { StreamErrorCode } from '../errors.js';
import type { UserClaims } from '../token.js';
import type { GroupStore } from './groups.js';
import type { HttpRequest, HttpResponse } from './transport.js';

const groupDefinition = compile(GroupDefinition);
const PUBLIC = new URL('../../public/', import.meta.url);
const STATIC: Record<string, string> = {
  '/': 'index.html',
  '/index.html': 'index.html',
  '/app.js': 'app.js',
  '/style.css': 'style.css',
};
const MIME: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};
/** The kernel's operations endpoints, answered by the kernel's own HTTP server. */
const OPS = new Set(['/healthz', '/readyz', '/metrics']);

export const json = (status: number, body: unknown): HttpResponse => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
const errorBody = (status: number, code: string, message: string) => json(status, { code, message });

export interface LiveHttpDeps {
  groups: GroupStore;
  producer: Producer;
  groupsTopic: string;
  verify(token: string | undefined): Promise<UserClaims>;
  allowed(claims: UserClaims, channel: string): boolean;
  /** Answers an ops path (`/healthz`, `/readyz`, `/metrics`) like the kernel's HTTP server does. */
  ops(path: string): Promise<HttpResponse>;
}

/**
 * The live server's HTTP on its WebSocket port: the dashboard, the groups API (`GET /v1/groups`,
 * `GET|PUT /v1/groups/{id}`) and the kernel's ops endpoints, so a load balancer that only knows
 * this port can probe it.
 */
export function liveHttp(d: LiveHttpDeps): (req: HttpRequest) => Promise<HttpResponse> {
  const files = Object.fromEntries(
    Object.entries(STATIC).map(([path, file]) => [path, readFileSync(new URL(file, PUBLIC))]),
  );

  /** The caller's claims from `Authorization: Bearer` (or `?access_token=` where allowed), or a 401. */
  async function claimsOf(req: HttpRequest, queryToken: boolean): Promise<UserClaims | HttpResponse> {
    const auth = req.headers.authorization ?? '';
    const bearer = auth.toLowerCase().startsWith('bearer ') ? auth.slice(7).trim() : undefined;
    const token = bearer ?? (queryToken ? (req.query.get('access_token') ?? undefined) : undefined);
    try {
      return await d.verify(token);
    } catch (err) {
      return isWattstreamError(err)
        ? errorBody(401, err.code, err.message)
        : errorBody(401, AuthErrorCode.TokenInvalid, 'bad token');
    }
  }

  async function putGroup(id: string, req: HttpRequest): Promise<HttpResponse> {
    const claims = await claimsOf(req, false);
    if ('status' in claims) return claims;
    if (!claims.roles.includes('coach') && !claims.roles.includes('admin')) {
      return errorBody(403, LiveErrorCode.Forbidden, 'only a coach or an admin may define groups');
    }
    let body: unknown;
    try {
      body = JSON.parse(req.body.toString('utf8'));
    } catch {
      return errorBody(400, StreamErrorCode.GroupInvalid, 'body must be JSON: {"name","members","rankBy"}');
    }
    const r = groupDefinition.validate(body);
    if (!r.ok) return errorBody(400, StreamErrorCode.GroupInvalid, r.error.message);
    const updatedAt = Math.max(Date.now(), (d.groups.get(id)?.updatedAt ?? 0) + 1);
    const group: GroupUpdated = { groupId: id, ...r.value, updatedBy: claims.sub, updatedAt };
    await d.producer.send({
      topic: d.groupsTopic,
      acks: -1,
      messages: [
        {
          key: id,
          value: JSON.stringify(group),
          headers: cloudEventHeaders({
            type: kafkaTopics.groupUpdated.name,
            id: `${id}:${updatedAt}`,
            source: '/live',
          }),
        },
      ],
    });
    await d.groups.seen(id, updatedAt, 10_000);
    return json(200, group);
  }

  async function getGroups(req: HttpRequest, id: string | undefined): Promise<HttpResponse> {
    const claims = await claimsOf(req, true);
    if ('status' in claims) return claims;
    const visible = [...d.groups.groups.values()].filter((g) => d.allowed(claims, `group:${g.groupId}`));
    if (id === undefined) return json(200, { groups: visible });
    const g = visible.find((x) => x.groupId === id);
    return g ? json(200, g) : errorBody(404, LiveErrorCode.UnknownGroup, `no group ${id} visible to you`);
  }

  return async (req) => {
    const file = STATIC[req.path];
    if (file !== undefined && req.method === 'GET') {
      return {
        status: 200,
        headers: { 'content-type': MIME[file.split('.').pop() ?? ''] ?? 'text/plain' },
        body: files[req.path],
      };
    }
    if (OPS.has(req.path)) return d.ops(req.path);
    const m = /^\/v1\/groups(?:\/([^/]+))?$/.exec(req.path);
    if (m) {
      const id = m[1] === undefined ? undefined : decodeURIComponent(m[1]);
      if (id !== undefined && !isValidId(id)) {
        return errorBody(400, StreamErrorCode.GroupInvalid, 'group ids are 1–64 chars of [A-Za-z0-9_-]');
      }
      if (req.method === 'PUT' && id !== undefined) return putGroup(id, req);
      if (req.method === 'GET') return getGroups(req, id);
      return errorBody(405, StreamErrorCode.NotFound, `${req.method} is not supported on ${req.path}`);
    }
    return errorBody(404, StreamErrorCode.NotFound, `no route ${req.method} ${req.path}`);
  };
}
