import { Type } from '@sinclair/typebox';

/** W3C Trace Context `traceparent` (version 00): version-traceid-parentid-flags, lower-case hex. */
export const TRACEPARENT_PATTERN = '^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$';
export const TRACEPARENT = new RegExp(TRACEPARENT_PATTERN);

/** A `traceparent` field of a payload that travels where no headers do (MQTT 3.1.1, WebSocket frames). */
export const Traceparent = (description: string) => Type.String({ pattern: TRACEPARENT_PATTERN, description });
