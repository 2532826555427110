import { ID_PATTERN } from './ids.js';

/**
 * MQTT topic layout, contract v1. Every id segment is 1–64 chars of `[A-Za-z0-9_-]`, so topics
 * never contain the MQTT wildcards `+`/`#` or the `$` prefix reserved for brokers [MQTT-4.7.2-1].
 */
export const MQTT_TOPIC_VERSION = 'v1';

export const mqttTopics = {
  /** Sample batches from an edge, QoS 1. Published by edges. */
  samples: (athleteId: string, deviceId: string) => `v1/samples/${athleteId}/${deviceId}`,
  /** Edge online/offline status (also the Last Will). Published by edges. */
  status: (edgeId: string) => `v1/status/${edgeId}`,
  /** Rejections explained back to one edge. Published by ingest. */
  errors: (edgeId: string) => `v1/errors/${edgeId}`,
  /** Commands to one edge. Published by the platform. */
  commands: (edgeId: string) => `v1/commands/${edgeId}`,
} as const;

/** Separator between an edge's id and the suffix of its MQTT client id: not an id character. */
export const EDGE_CLIENT_ID_SEPARATOR = ':';

/**
 * The MQTT client ids an edge may use: exactly its edgeId, or `{edgeId}:{suffix}` with a suffix
 * of 1–64 id characters (for a second connection of the same edge, e.g. one per process). The
 * separator is not an id character, so no edge's client id can be another edge's: a session
 * takeover [MQTT-3.1.4-2] only ever happens between connections of the same edge.
 */
export function isEdgeClientId(edgeId: string, clientId: string): boolean {
  if (clientId === edgeId) return true;
  return (
    clientId.length > edgeId.length + 1 &&
    clientId.startsWith(edgeId) &&
    clientId[edgeId.length] === EDGE_CLIENT_ID_SEPARATOR &&
    ID_PATTERN.test(clientId.slice(edgeId.length + 1))
  );
}

/** The longest client id `isEdgeClientId` admits: a 64-char edgeId, the separator, a 64-char suffix. */
export const EDGE_CLIENT_ID_MAX_LENGTH = 64 + 1 + 64;

/** Wildcard filter that matches every sample topic (for shared subscriptions: `$share/<group>/…`). */
export const SAMPLES_TOPIC_FILTER = 'v1/samples/+/+';
export const SAMPLES_TOPIC_FILTER_ALL = 'v1/samples/#';

export type ParsedMqttTopic =
  | { kind: 'samples'; athleteId: string; deviceId: string }
  | { kind: 'status'; edgeId: string }
  | { kind: 'errors'; edgeId: string }
  | { kind: 'commands'; edgeId: string };

/** Parses a concrete topic name; returns `null` for anything outside the v1 layout. */
export function parseMqttTopic(topic: string): ParsedMqttTopic | null {
  const parts = topic.split('/');
  if (parts[0] !== MQTT_TOPIC_VERSION) return null;
  const [, kind, a, b] = parts;
  if (kind === 'samples' && parts.length === 4 && isId(a) && isId(b)) {
    return { kind: 'samples', athleteId: a, deviceId: b };
  }
  if (parts.length === 3 && isId(a) && (kind === 'status' || kind === 'errors' || kind === 'commands')) {
    return { kind, edgeId: a };
  }
  return null;
}

function isId(value: string | undefined): value is string {
  return value !== undefined && ID_PATTERN.test(value);
}
