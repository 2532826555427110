import { EDGE_CLIENT_ID_SEPARATOR, isEdgeClientId, isValidId, mqttTopics } from '@wattstream/contracts';
import {
  AuthErrorCode,
  isWattstreamError,
  type Logger,
  TOKEN_AUDIENCE,
  type TokenKeys,
  verifyToken,
} from '@wattstream/platform';
import type { AedesOptions, Client } from 'aedes';
import { IngestErrorCode } from '../errors.js';
import type { IngestMetrics } from '../metrics.js';
import type { EdgeRegistry } from './edge-registry.js';

import { getConnectInfo, scheduleExpiry, setSession } from './session.js';
import { statusProblem } from './status.js';

/** CONNACK return codes of MQTT 3.1.1 (§3.2.2.3). */
export const ConnackCode = {
  IdentifierRejected: 2,
  ServerUnavailable: 3,
  BadUsernameOrPassword: 4,
  NotAuthorized: 5,
} as const;

export interface AuthenticateDeps {
  keys: TokenKeys;
  /** The users service's word on registered edges: revoked ones and replaced credentials are refused. */
  registry?: EdgeRegistry;
  logger: Logger;
  metrics: IngestMetrics;
  maxConnections: number;
  /** Clients connected now (authenticated), for the connection limit. */
  connectedClients: () => number;
  /** Called once per authenticated connection, when it opens. */
  onSessionStart?: (edgeId: string) => void;
  /** Called once per authenticated connection, when it closes. */
  onSessionEnd?: (edgeId: string) => void;
}

type Done = Parameters<NonNullable<AedesOptions['authenticate']>>[3];

/**
 * aedes `authenticate`: username = edgeId, password = an edge JWT signed by the platform.
 * Refusals answer a CONNACK with a non-zero return code and close the connection [MQTT-3.2.2-5]:
 * 2 for an empty client id or one that is not the edge's own, 3 when full, 4 for a
 * missing/malformed/badly signed token, 5 for an expired token, a username that is not the
 * token's subject, or a Last Will outside the ACL or not an EdgeStatus.
 */
export function createAuthenticate(deps: AuthenticateDeps): NonNullable<AedesOptions['authenticate']> {
  const { logger, metrics } = deps;
  const refuse = (client: Client, done: Done, returnCode: number, reason: string, message: string) => {
    metrics.authFailures.inc({ reason });
    logger.warn({ clientId: client.id, reason, returnCode }, `CONNECT refused: ${message}`);
    const err = Object.assign(new Error(message), { returnCode });
    done(err as Parameters<Done>[0], false);
  };

  return (client, username, password, done) => {
    const info = getConnectInfo(client);
    // [MQTT-3.1.3-8] / [MQTT-3.1.3-9]: a zero-byte ClientId is refused with return code 2, also with
    // CleanSession=1: edges need a stable id for their persistent session.
    if (!info || info.clientIdEmpty) {
      return refuse(client, done, ConnackCode.IdentifierRejected, IngestErrorCode.ClientIdEmpty, 'empty client id');
    }
    if (deps.connectedClients() >= deps.maxConnections) {
      return refuse(
        client,
        done,
        ConnackCode.ServerUnavailable,
        IngestErrorCode.TooManyConnections,
        `MQTT_MAX_CONNECTIONS (${deps.maxConnections}) reached`,
      );
    }
    if (!username || !password || password.length === 0) {
      return refuse(
        client,
        done,
        ConnackCode.BadUsernameOrPassword,
        AuthErrorCode.TokenMissing,
        'username (edgeId) and password (edge token) are required',
      );
    }
    verifyToken(deps.keys, password.toString('utf8'), TOKEN_AUDIENCE.edge).then(
      (claims) => {
        if (claims.sub !== username) {
          return refuse(
            client,
            done,
            ConnackCode.NotAuthorized,
            IngestErrorCode.UsernameMismatch,
            `username ${JSON.stringify(username)} is not the token subject`,
          );
        }
        const athletes = (claims as { athletes?: unknown }).athletes;
        if (!Array.isArray(athletes) || !athletes.every(isValidId)) {
          return refuse(
            client,
            done,
            ConnackCode.BadUsernameOrPassword,
            IngestErrorCode.AthletesClaim,
            'token has no valid "athletes" claim (an array of ids)',
          );
        }
        const edgeId = claims.sub;
        if (client.closed) return done(null, false); // gone while the token was checked; aedes ignores it
        const revoked = deps.registry?.refusal(edgeId, claims.jti);
        if (revoked !== undefined) {
          return refuse(client, done, ConnackCode.NotAuthorized, IngestErrorCode.CredentialRevoked, revoked);
        }
        // [MQTT-3.1.3-5] the server may refuse a client id. Refusing every id but the edge's own keeps
        // the takeover of [MQTT-3.1.4-2] (aedes disconnects the holder of the id after authenticate)
        // within one edge: a credential can never reach another edge's persistent session.
        if (!isEdgeClientId(edgeId, client.id)) {
          return refuse(
            client,
            done,
            ConnackCode.IdentifierRejected,
            IngestErrorCode.ClientIdNotOwned,
            `client id ${JSON.stringify(client.id)} is not this edge's: use "${edgeId}" or "${edgeId}${EDGE_CLIENT_ID_SEPARATOR}<suffix>"`,
          );
        }
        if (info.willTopic !== undefined && info.willTopic !== mqttTopics.status(edgeId)) {
          return refuse(
            client,
            done,
            ConnackCode.NotAuthorized,
            IngestErrorCode.WillNotAuthorized,
            `Last Will must be on ${mqttTopics.status(edgeId)}`,
          );
        }
        const willProblem = info.willPayload === undefined ? undefined : statusProblem(info.willPayload);
        if (willProblem !== undefined) {
          return refuse(
            client,
            done,
            ConnackCode.NotAuthorized,
            IngestErrorCode.StatusInvalid,
            `Last Will is not an EdgeStatus: ${willProblem}`,
          );
        }
        const expiresAt = claims.exp * 1000;
        const log = logger.child({ edgeId, clientId: client.id });
        const closed = new AbortController();
        const cancelExpiry = scheduleExpiry(expiresAt, () => {
          metrics.tokenExpiries.inc();
          log.info({ code: IngestErrorCode.TokenExpiredDisconnect }, 'token expired; disconnecting the edge');
          client.close();
        });
        deps.onSessionStart?.(edgeId);
        client.conn.once('close', () => {
          cancelExpiry();
          closed.abort();
          deps.onSessionEnd?.(edgeId);
        });
        setSession(client, {
          edgeId,
          credentialId: claims.jti,
          athletes: new Set(athletes),
          logger: log,
          closed: closed.signal,
        });
        log.info({ athletes, keepalive: info.keepaliveRequested }, 'edge connected');
        done(null, true);
      },
      (err: unknown) => {
        const code = isWattstreamError(err) ? err.code : AuthErrorCode.TokenInvalid;
        const rc = code === AuthErrorCode.TokenExpired ? ConnackCode.NotAuthorized : ConnackCode.BadUsernameOrPassword;
        refuse(client, done, rc, code, (err as Error).message);
      },
    );
  };
}
