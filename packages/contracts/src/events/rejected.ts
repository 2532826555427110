import { type Static, Type } from '@sinclair/typebox';
import { EpochMs, Id } from '../ids.js';

/** Value of a `tracking.metrics.rejected` record (key = edgeId). */
export const MetricsRejected = Type.Object(
  {
    edgeId: Id('edge that published the rejected payload'),
    topic: Type.String({ maxLength: 65535, description: 'MQTT topic the payload was published on' }),
    code: Type.String({ description: 'error code, e.g. WS_CONTRACT_SCHEMA' }),
    reason: Type.String({ description: 'human-readable reason naming the offending field' }),
    receivedAt: EpochMs('when ingest received the payload'),
    payloadEncoding: Type.Union([Type.Literal('utf8'), Type.Literal('base64')], {
      description: '`utf8` when the payload was valid UTF-8 text, else `base64`',
    }),
    payload: Type.String({ description: 'the original payload, unchanged' }),
  },
  {
    $id: 'wattstream/v1/MetricsRejected',
    additionalProperties: false,
    description: 'An MQTT publish that ingest refused, kept for inspection and replay.',
  },
);
export type MetricsRejected = Static<typeof MetricsRejected>;
