import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { INTERNAL_IDENTITY_HEADER } from '@wattstream/kernel';
import type { FastifyRequest } from 'fastify';
import type { CompiledRoute } from '../route-table/compile.js';
import { nextTraceparent } from './trace.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed identity header for the upstream (authenticated routes). */
    gwIdentityHeader?: string;
    /** The traceparent sent upstream (one per request, the same for a shadow copy). */
    gwTraceparent?: string;
  }
}

/** Response headers that describe the upstream's software or belong to the gateway alone. */
const UPSTREAM_ONLY = [
  'server',
  'x-powered-by',
  'x-aspnet-version',
  INTERNAL_IDENTITY_HEADER,
  'access-control-allow-origin',
  'access-control-allow-credentials',
  'access-control-allow-methods',
  'access-control-allow-headers',
  'access-control-expose-headers',
  'access-control-max-age',
];

/**
 * Headers towards a service: any identity header the client sent is dropped (only the gateway's
 * own, signed, goes on), the route's rules are applied, and the request id, trace context and
 * forwarding headers are set.
 */
export function upstreamRequestHeaders(
  req: FastifyRequest,
  headers: IncomingHttpHeaders,
  route: CompiledRoute,
): IncomingHttpHeaders {
  delete headers[INTERNAL_IDENTITY_HEADER];
  for (const name of route.requestHeaders.remove) delete headers[name];
  Object.assign(headers, route.requestHeaders.add);
  if (req.gwIdentityHeader) headers[INTERNAL_IDENTITY_HEADER] = req.gwIdentityHeader;
  req.gwTraceparent ??= nextTraceparent(req.headers.traceparent);
  headers.traceparent = req.gwTraceparent;
  headers['x-request-id'] = req.id;
  // The client as the gateway sees it (HTTP_TRUST_PROXY decides whether a proxy in front is believed).
  headers['x-forwarded-for'] = req.ip;
  headers['x-forwarded-proto'] = req.protocol;
  headers['x-forwarded-host'] = req.host;
  return headers;
}

/** Headers towards the client: upstream-only headers dropped, the route's rules applied. */
export function clientResponseHeaders(headers: OutgoingHttpHeaders, route: CompiledRoute): OutgoingHttpHeaders {
  for (const name of UPSTREAM_ONLY) delete headers[name];
  for (const name of route.responseHeaders.remove) delete headers[name];
  Object.assign(headers, route.responseHeaders.add);
  return headers;
}
