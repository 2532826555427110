import { WattstreamError } from '@wattstream/platform';

/** Codes raised by ingest and its QuestDB sink (listed in README.md and docs/errors.md). */
export const IngestErrorCode = {
  /** A publish or subscribe outside the edge's ACL; the connection is closed, nothing is forwarded. */
  NotAuthorized: 'WS_INGEST_NOT_AUTHORIZED',
  /** CONNECT with a zero-length client id. */
  ClientIdEmpty: 'WS_INGEST_CLIENT_ID_EMPTY',
  /** CONNECT whose client id is neither the edgeId nor `{edgeId}:{suffix}` (CONNACK 2). */
  ClientIdNotOwned: 'WS_INGEST_CLIENT_ID_NOT_OWNED',
  /** CONNECT whose username is not the token's `sub`. */
  UsernameMismatch: 'WS_INGEST_USERNAME_MISMATCH',
  /** CONNECT whose token has no valid `athletes` claim. */
  AthletesClaim: 'WS_INGEST_ATHLETES_CLAIM',
  /** A status publish or Last Will that is not an `EdgeStatus`; not retained, the connection is closed. */
  StatusInvalid: 'WS_INGEST_STATUS_INVALID',
  /** CONNECT whose Last Will is not on `v1/status/{edgeId}`. */
  WillNotAuthorized: 'WS_INGEST_WILL_NOT_AUTHORIZED',
  /** CONNECT refused because `MQTT_MAX_CONNECTIONS` clients are connected. */
  TooManyConnections: 'WS_INGEST_TOO_MANY_CONNECTIONS',
  /** A packet larger than `MQTT_MAX_PACKET_SIZE`; the connection is closed. */
  PacketTooLarge: 'WS_INGEST_PACKET_TOO_LARGE',
  /** The edge's token expired while it was connected; it was disconnected. */
  TokenExpiredDisconnect: 'WS_INGEST_TOKEN_EXPIRED',
  /** The edge was revoked, or its credential replaced by a newer one, at the users service (CONNACK 5 / disconnected). */
  CredentialRevoked: 'WS_INGEST_CREDENTIAL_REVOKED',

  /** A publish still waiting for Kafka when ingest stopped; not acknowledged, the edge resends it. */
  ShuttingDown: 'WS_INGEST_SHUTTING_DOWN',
  /** A publish waiting for Kafka whose connection closed first; not acknowledged. */
  ConnectionClosed: 'WS_INGEST_CONNECTION_CLOSED',
  /** Shared-subscription mode: a sample publish that names no edge. */
  UnknownEdge: 'WS_INGEST_UNKNOWN_EDGE',
  /** Sink: QuestDB refused or did not answer a write; retried with backoff, offsets not committed. */
  SinkWriteFailed: 'WS_SINK_WRITE_FAILED',
  /** Sink: a record on tracking.metrics.received that is not a MetricsReceived; skipped and counted. */
  SinkBadRecord: 'WS_SINK_BAD_RECORD',
} as const;
export type IngestErrorCode = (typeof IngestErrorCode)[keyof typeof IngestErrorCode];

export function ingestError(code: IngestErrorCode, message: string, cause?: unknown): WattstreamError {
  return new WattstreamError(code, message, cause === undefined ? {} : { cause });
}
