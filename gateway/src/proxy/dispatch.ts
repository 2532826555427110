import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Agent, request as undiciRequest } from 'undici';
import { GatewayErrorCode, gatewayError } from '../errors.js';
import { type CompiledRoute, rewritePath } from '../route-table/compile.js';
import { clientResponseHeaders, upstreamRequestHeaders } from './headers.js';
import type { Answer, ShadowComparator } from './shadow.js';

export interface DispatchOptions {
  timeoutMs: number;
  shadowMaxBody: number;
  comparator: ShadowComparator;
  /** The connection pool of shadow copies (the proxied requests use reply-from's). */
  shadowAgent: Agent;
}

/** Where a request goes: the base URL and the rewritten path (with its query). */
export function targetOf(route: CompiledRoute, url: string, side: 'new' | 'legacy'): string {
  return side === 'new'
    ? `${route.newBase}${rewritePath(url, route.rewrite)}`
    : `${route.legacyBase}${rewritePath(url, route.legacyRewrite)}`;
}

const CONNECT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ECONNRESET', 'UND_ERR_SOCKET']);

/** reply-from's error → our problem: 504 on a timeout, 503 when nothing listens, else 502. */
export function upstreamError(route: CompiledRoute, err: Error & { statusCode?: number; cause?: unknown }): Error {
  const cause = err.cause as { code?: string } | undefined;
  const name = route.spec.upstream === 'new' || !route.spec.legacy ? route.spec.service : route.spec.legacy;
  if (err.statusCode === 504 || /timeout/i.test(err.name + (cause?.code ?? ''))) {
    return gatewayError(GatewayErrorCode.UpstreamTimeout, `${name} did not answer in time; try again shortly`, {
      statusCode: 504,
      cause: err,
    });
  }
  const down = CONNECT_CODES.has(cause?.code ?? '') || err.statusCode === 503;
  return gatewayError(
    GatewayErrorCode.UpstreamUnavailable,
    `${name} is ${down ? 'not reachable' : 'failing'} right now; try again shortly`,
    { statusCode: down ? 503 : 502, cause: err, details: { retryAfterS: 1 } },
  );
}

async function readUpTo(stream: Readable, max: number): Promise<{ body: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > max) truncated = true;
    chunks.push(chunk as Buffer);
  }
  return { body: Buffer.concat(chunks, size), truncated };
}

/**
 * Proxies the request along its route (reply-from over undici): to the new service, to the
 * legacy system, or — in `shadow` — to legacy for the answer and to the new service for a
 * comparison the client never waits for.
 */
export function dispatch(o: DispatchOptions) {
  return (req: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const { route } = req.gw!;
    const side = route.upstream === 'new' ? 'new' : 'legacy';
    const shadow = route.upstream === 'shadow' && route.shadowMethods.has(req.method);
    const body = req.body as Buffer | undefined;
    const copy = shadow ? sendCopy(o, req, route, body) : undefined;
    return reply.from(targetOf(route, req.url, side), {
      ...(body && body.length > 0
        ? { body, contentType: req.headers['content-type'] ?? 'application/octet-stream' }
        : {}),
      timeout: o.timeoutMs,
      retryDelay: () => null,
      rewriteRequestHeaders: (r, headers) => upstreamRequestHeaders(r as FastifyRequest, headers, route),
      rewriteHeaders: (headers) => clientResponseHeaders(headers, route) as IncomingHttpHeaders,
      onError: (rep, { error }) => rep.send(upstreamError(route, error as Error)),
      ...(copy
        ? {
            onResponse: (request, rep, res) => {
              void readUpTo(res.stream as Readable, o.shadowMaxBody).then(
                ({ body: legacyBody, truncated }) => {
                  rep.send(legacyBody);
                  const legacy: Answer = { status: res.statusCode, body: legacyBody, truncated };
                  void copy.then((fresh) =>
                    o.comparator.compare(route, request.id, request.method, request.url, legacy, fresh),
                  );
                },
                (err: Error) => rep.send(upstreamError(route, err)),
              );
            },
          }
        : {}),
    });
  };
}

/** The shadow copy to the new service, with the same headers the legacy request got. */
async function sendCopy(
  o: DispatchOptions,
  req: FastifyRequest,
  route: CompiledRoute,
  body: Buffer | undefined,
): Promise<Answer | Error> {
  try {
    const url = new URL(targetOf(route, req.url, 'new'));
    const headers = upstreamRequestHeaders(req, { ...req.headers }, route);
    headers.host = url.host;
    delete headers.connection;
    const res = await undiciRequest(url, {
      method: req.method as 'GET',
      headers: headers as Record<string, string>,
      ...(body && body.length > 0 ? { body } : {}),
      dispatcher: o.shadowAgent,
      headersTimeout: o.timeoutMs,
      bodyTimeout: o.timeoutMs,
    });
    const { body: b, truncated } = await readUpTo(res.body, o.shadowMaxBody);
    return { status: res.statusCode, body: b, truncated };
  } catch (err) {
    return err as Error;
  }
}
