import { endSpan, type Span, SpanKind, SpanStatusCode, startSpanFrom, tracing, withSpan } from '@wattstream/platform';
import type { FastifyInstance, FastifyRequest } from 'fastify';

const spans = new WeakMap<FastifyRequest, Span>();

/**
 * A server span per request (W3C `traceparent` of the caller as its parent), active while the
 * request's hooks and handler run — so their log lines carry its ids and the events they enqueue
 * continue its trace. Nothing is registered when tracing is off.
 */
export function traceRequests(app: FastifyInstance, skip: ReadonlySet<string>): void {
  if (!tracing().enabled) return;
  // A callback hook: the rest of the request runs inside `done`, so inside the span's context.
  app.addHook('onRequest', (req, _reply, done) => {
    const route = req.routeOptions.url;
    if (route !== undefined && skip.has(route)) return done();
    const header = req.headers.traceparent;
    const span = startSpanFrom(
      `${req.method} ${route ?? 'unmatched'}`,
      typeof header === 'string' ? header : undefined,
      {
        kind: SpanKind.SERVER,
        attributes: {
          'http.request.method': req.method,
          'url.path': req.url.split('?')[0] ?? req.url,
          'http.route': route ?? '',
        },
      },
    );
    spans.set(req, span);
    withSpan(span, done);
  });
  app.addHook('onResponse', async (req, reply) => {
    const span = spans.get(req);
    if (span === undefined) return;
    span.setAttribute('http.response.status_code', reply.statusCode);
    if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    endSpan(span);
  });
}
