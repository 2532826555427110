import {
  type Attributes,
  type Context,
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  type SpanOptions,
  SpanStatusCode,
  TraceFlags,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { ZipkinExporter } from '@opentelemetry/exporter-zipkin';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ParentBasedSampler,
  type SpanExporter,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import { type ConfigOf, num, oneOf, url } from './config.js';

export { type Context, type Span, SpanKind, SpanStatusCode } from '@opentelemetry/api';

/**
 * Tracing settings, read under OpenTelemetry's own variable names so a cluster's usual
 * configuration applies unchanged. Off by default: with no exporter nothing is recorded, and the
 * only work left on a hot path is one `enabled` check.
 */
export const tracingConfig = {
  tracesExporter: oneOf('OTEL_TRACES_EXPORTER', ['none', 'zipkin', 'otlp'] as const, {
    default: 'none',
    description:
      'where spans go: none (tracing off), zipkin (Zipkin v2 JSON, OTEL_EXPORTER_ZIPKIN_ENDPOINT) or otlp (OTLP/HTTP JSON, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)',
  }),
  zipkinEndpoint: url('OTEL_EXPORTER_ZIPKIN_ENDPOINT', {
    default: 'http://127.0.0.1:9411/api/v2/spans',
    protocols: ['http:', 'https:'],
    description: "Zipkin's span intake",
  }),
  otlpEndpoint: url('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', {
    default: 'http://127.0.0.1:4318/v1/traces',
    protocols: ['http:', 'https:'],
    description: 'an OTLP/HTTP trace receiver (an OpenTelemetry collector)',
  }),
  sampleRatio: num('OTEL_TRACES_SAMPLER_ARG', {
    default: 1,
    min: 0,
    max: 1,
    description:
      'share of new traces recorded (0–1; parent-based: a span whose parent was sampled is always recorded, one whose parent was not never is)',
  }),
};
export type TracingSettings = ConfigOf<typeof tracingConfig>;

export interface Tracing {
  /** False when OTEL_TRACES_EXPORTER=none: callers skip span work entirely. */
  readonly enabled: boolean;
  readonly tracer: Tracer;
  /** Sends what is buffered (the `flush` phase of a shutdown); resolves even when the collector is down. */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

const w3c = new W3CTraceContextPropagator();
const TRACER_NAME = 'wattstream';

const off: Tracing = {
  enabled: false,
  tracer: trace.getTracer(TRACER_NAME),
  flush: async () => {},
  shutdown: async () => {},
};

let current: Tracing = off;

/** The process's tracing, as `startTracing` left it (off until then). */
export function tracing(): Tracing {
  return current;
}

function exporterOf(cfg: TracingSettings): SpanExporter {
  if (cfg.tracesExporter === 'zipkin') return new ZipkinExporter({ url: cfg.zipkinEndpoint });
  return new OTLPTraceExporter({ url: cfg.otlpEndpoint });
}

/**
 * Starts the process's tracer provider: W3C trace context, AsyncLocalStorage context, a batch
 * processor in front of the chosen exporter, parent-based ratio sampling. One provider per
 * process (OpenTelemetry's globals are set once): a second call returns the first, so services
 * started side by side in one test process share it.
 */
export function startTracing(service: string, cfg: TracingSettings, attributes: Record<string, string> = {}): Tracing {
  if (current.enabled || cfg.tracesExporter === 'none') return current;
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service, ...attributes }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(cfg.sampleRatio) }),
    spanProcessors: [
      new BatchSpanProcessor(exporterOf(cfg), {
        scheduledDelayMillis: 500,
        maxQueueSize: 8192,
        maxExportBatchSize: 512,
      }),
    ],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(w3c);
  trace.setGlobalTracerProvider(provider);
  current = {
    enabled: true,
    tracer: trace.getTracer(TRACER_NAME),
    // Tracing is best effort: an unreachable collector costs spans, never a failed shutdown.
    flush: () => provider.forceFlush().catch(() => {}),
    shutdown: async () => {
      await provider.shutdown().catch(() => {});
      trace.disable();
      context.disable();
      propagation.disable();
      current = off;
    },
  };
  return current;
}

/** The `traceparent` of a context's span (the active one by default); undefined without a valid one. */
export function traceparentOf(ctx: Context = context.active()): string | undefined {
  const carrier: Record<string, string> = {};
  w3c.inject(ctx, carrier, defaultTextMapSetter);
  return carrier.traceparent;
}

/** The `traceparent` of a span, for a record or frame that continues its trace. */
export function traceparentOfSpan(span: Span): string | undefined {
  return traceparentOf(trace.setSpan(ROOT_CONTEXT, span));
}

/** True when a `traceparent` says its trace is recorded (the sampled flag). */
export function isSampled(traceparent: string | undefined): boolean {
  if (traceparent === undefined) return false;
  const sc = trace.getSpanContext(contextFrom(traceparent));
  return sc !== undefined && (sc.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED;
}

/** A context whose parent is the given `traceparent` (the root context when it is missing or malformed). */
export function contextFrom(traceparent: string | undefined): Context {
  if (traceparent === undefined) return ROOT_CONTEXT;
  return w3c.extract(ROOT_CONTEXT, { traceparent }, defaultTextMapGetter);
}

/**
 * Starts a span under `traceparent` (a record header, a batch field) — or, with none, as a root
 * span sampled at the configured ratio. The caller ends it.
 */
export function startSpanFrom(name: string, traceparent: string | undefined, options: SpanOptions = {}): Span {
  return current.tracer.startSpan(name, options, contextFrom(traceparent));
}

/** Where a Kafka record came from, for the consumer span of its processing. */
export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: string;
  /** The record's `traceparent` header. */
  traceparent: string | undefined;
}

/**
 * The consumer span of one Kafka record (OpenTelemetry's messaging conventions), under the trace
 * its producer started. The caller ends it.
 */
export function startConsumerSpan(name: string, r: ConsumedRecord, attributes: Attributes = {}): Span {
  return startSpanFrom(name, r.traceparent, {
    kind: SpanKind.CONSUMER,
    attributes: {
      'messaging.system': 'kafka',
      'messaging.destination.name': r.topic,
      'messaging.destination.partition.id': String(r.partition),
      'messaging.kafka.offset': Number(r.offset),
      ...attributes,
    },
  });
}

/** Ends a span with the outcome of the work it measured. */
export function endSpan(span: Span, err?: unknown): void {
  if (err !== undefined) {
    span.recordException(err instanceof Error ? err : String(err));
    span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
  }
  span.end();
}

/** Runs `fn` with `span` active, so logs and outgoing records inside it carry its trace. */
export function withSpan<T>(span: Span, fn: () => T): T {
  return context.with(trace.setSpan(context.active(), span), fn);
}

/** The ids of the active span for a log line (pino mixin); empty when no span is active. */
export function activeTraceIds(): { trace_id?: string; span_id?: string } {
  const sc = trace.getSpan(context.active())?.spanContext();
  if (sc === undefined || !trace.isSpanContextValid(sc)) return {};
  return { trace_id: sc.traceId, span_id: sc.spanId };
}
