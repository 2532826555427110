import { randomBytes } from 'node:crypto';
import { traceparentOf, tracing } from '@wattstream/platform';

/** W3C Trace Context `traceparent`: version-traceid-parentid-flags. */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/**
 * The `traceparent` the gateway sends on: the caller's trace id and flags with the gateway's own
 * span as the parent (the gateway is a hop of the trace), or a new sampled trace when the caller
 * sent none or an invalid one (all-zero ids are invalid, W3C Trace Context §3.2.2.3–4). With
 * tracing on, the gateway's span is a real one — the kernel's server span of this request — so
 * the hop shows in the trace backend too.
 */
export function nextTraceparent(incoming: string | string[] | undefined): string {
  const active = tracing().enabled ? traceparentOf() : undefined;
  if (active !== undefined) return active;
  const span = randomBytes(8).toString('hex');
  const m = typeof incoming === 'string' ? TRACEPARENT.exec(incoming.trim()) : null;
  if (m && m[1] !== ZERO_TRACE && m[2] !== ZERO_SPAN) return `00-${m[1]}-${span}-${m[3]}`;
  return `00-${randomBytes(16).toString('hex')}-${span}-01`;
}
