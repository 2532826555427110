import { TRACEPARENT } from './trace-context.js';

/**
 * CloudEvents 1.0, Kafka protocol binding, binary content mode: the event's attributes travel
 * as record headers prefixed `ce_`, the data is the record value, `content-type` its media type.
 * https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/bindings/kafka-protocol-binding.md
 */
export const CE_SPECVERSION = '1.0';
export const JSON_CONTENT_TYPE = 'application/json';

export interface CloudEventAttributes {
  /** `ce_type`, equal to the topic name for wattstream events. */
  type: string;
  /** `ce_id`, unique per source; deterministic so that redelivery is recognisable. */
  id: string;
  /** `ce_source`, a URI reference such as `/edges/{edgeId}`. */
  source: string;
  /** `ce_time`; defaults to now. */
  time?: Date | number;
  /** `ce_subject`, optional. */
  subject?: string;
  /** W3C trace context, forwarded when a trace exists. */
  traceparent?: string;
}

export type EventHeaders = Record<string, string>;

export function cloudEventHeaders(attrs: CloudEventAttributes): EventHeaders {
  const time = attrs.time === undefined ? new Date() : new Date(attrs.time);
  const headers: EventHeaders = {
    ce_specversion: CE_SPECVERSION,
    ce_type: attrs.type,
    ce_id: attrs.id,
    ce_source: attrs.source,
    ce_time: time.toISOString(),
    'content-type': JSON_CONTENT_TYPE,
  };
  if (attrs.subject !== undefined) headers.ce_subject = attrs.subject;
  if (attrs.traceparent !== undefined && TRACEPARENT.test(attrs.traceparent)) {
    headers.traceparent = attrs.traceparent;
  }
  return headers;
}

export interface ParsedCloudEvent {
  specversion: string;
  type: string;
  id: string;
  source: string;
  time: string;
  contentType: string;
  subject?: string;
  traceparent?: string;
}

type RawHeaders = Record<string, string | Uint8Array | ReadonlyArray<string | Uint8Array> | undefined>;

/** Reads CloudEvents attributes from Kafka record headers; `null` when a required one is missing. */
export function parseCloudEventHeaders(headers: RawHeaders | undefined): ParsedCloudEvent | null {
  if (!headers) return null;
  const get = (k: string): string | undefined => {
    const v = headers[k];
    if (v === undefined) return undefined;
    const one = Array.isArray(v) ? v[0] : v;
    if (one === undefined) return undefined;
    return typeof one === 'string' ? one : Buffer.from(one as Uint8Array).toString('utf8');
  };
  const specversion = get('ce_specversion');
  const type = get('ce_type');
  const id = get('ce_id');
  const source = get('ce_source');
  const time = get('ce_time');
  const contentType = get('content-type');
  if (!specversion || !type || !id || !source || !time || !contentType) return null;
  const parsed: ParsedCloudEvent = { specversion, type, id, source, time, contentType };
  const subject = get('ce_subject');
  if (subject !== undefined) parsed.subject = subject;
  const traceparent = get('traceparent');
  if (traceparent !== undefined) parsed.traceparent = traceparent;
  return parsed;
}
