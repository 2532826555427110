import type { EdgeError } from '@wattstream/contracts';
import { EDGE_CLIENT_ID_MAX_LENGTH, mqttTopics } from '@wattstream/contracts';
import { componentLogger, type TokenKeys } from '@wattstream/platform';
import { Aedes, type Client } from 'aedes';
import { IngestErrorCode } from '../errors.js';
import { Intake } from '../intake.js';
import type { KafkaWriter } from '../kafka-writer.js';
import type { RecordBuilder } from '../records.js';
import { createAuthenticate } from './authenticate.js';
import { createAuthorizePublish } from './authorize-publish.js';
import { createAuthorizeSubscribe } from './authorize-subscribe.js';
import type { EdgeRegistry } from './edge-registry.js';
import { type ListenerOptions, type Listeners, startListeners } from './listeners.js';
import { createPreConnect } from './pre-connect.js';
import { RateLimiter } from './rate-limit.js';
import { getSession } from './session.js';

/** The listeners' settings (without the broker, made here) plus the MQTT handlers' own. */
export interface EmbeddedBrokerOptions extends Omit<ListenerOptions, 'broker'> {
  keys: TokenKeys;
  registry?: EdgeRegistry;
  writer: KafkaWriter;
  records: RecordBuilder;
  keepaliveMinMs: number;
  keepaliveMaxMs: number;
  connectTimeoutMs: number;
  maxConnections: number;
  publishRate: number;
  publishBurst: number;
}

export interface EmbeddedBroker {
  readonly listeners: Listeners;
  /** Closes every client (no PUBACK for publishes still waiting) and the broker. */
  close(): Promise<void>;
}

/**
 * The edge endpoint: embedded aedes (MQTT 3.1.1) with one handler per MQTT concern — pre-connect
 * (keepalive bounds), authenticate (token, client id, connection limit, will), authorize publish
 * (ACL, rate limit, validation, Kafka before PUBACK), authorize subscribe (ACL) — behind the
 * listeners (TCP, WebSocket, TLS) and their packet-size guard.
 */
export async function startEmbeddedBroker(o: EmbeddedBrokerOptions): Promise<EmbeddedBroker> {
  const log = componentLogger(o.logger, 'mqtt');
  const rateLimiter = new RateLimiter(o.publishRate, o.publishBurst);
  let broker: Aedes | undefined;

  const publishEdgeError = (edgeId: string, error: EdgeError) => {
    broker?.publish(
      {
        cmd: 'publish',
        topic: mqttTopics.errors(edgeId),
        payload: Buffer.from(JSON.stringify(error)),
        qos: 1,
        retain: false,
        dup: false,
      },
      (err) => {
        if (err) log.warn({ err, edgeId }, 'could not publish an edge error');
      },
    );
  };
  const intake = new Intake({
    writer: o.writer,
    records: o.records,
    metrics: o.metrics,
    logger: log,
    publishEdgeError,
  });

  broker = await Aedes.createBroker({
    id: 'wattstream-ingest',
    connectTimeout: o.connectTimeoutMs,
    // The ClientId limit of 23 applies to MQTT 3.1 only; an edge's client id is its edgeId or
    // `{edgeId}:{suffix}` (see isEdgeClientId).
    maxClientsIdLength: EDGE_CLIENT_ID_MAX_LENGTH,
    preConnect: createPreConnect({
      min: Math.round(o.keepaliveMinMs / 1000),
      max: Math.round(o.keepaliveMaxMs / 1000),
    }),
    authenticate: createAuthenticate({
      keys: o.keys,
      ...(o.registry ? { registry: o.registry } : {}),
      logger: log,
      metrics: o.metrics,
      maxConnections: o.maxConnections,
      connectedClients: () => (broker as Aedes).connectedClients,
      onSessionStart: (edgeId) => rateLimiter.retain(edgeId),
      onSessionEnd: (edgeId) => rateLimiter.release(edgeId),
    }),
    authorizePublish: createAuthorizePublish({
      intake,
      rateLimiter,
      metrics: o.metrics,
      logger: log,
      publishEdgeError,
    }),
    authorizeSubscribe: createAuthorizeSubscribe({ metrics: o.metrics, logger: log }),
  });
  broker.on('clientError', (client, err) => log.debug({ clientId: client.id, err: err.message }, 'client error'));
  broker.on('connectionError', (_client, err) => log.debug({ err: err.message }, 'connection error before CONNECT'));
  broker.on('keepaliveTimeout', (client) => log.info({ clientId: client.id }, 'keepalive timeout; disconnected'));

  const listeners = await startListeners({ ...o, broker, logger: log });
  const aedes = broker;
  // A revocation (or a new credential) at the users service ends the edge's open connections now,
  // not at their token's expiry.
  const connected = new Set<Client>();
  aedes.on('clientReady', (client) => connected.add(client));
  aedes.on('clientDisconnect', (client) => connected.delete(client));
  o.registry?.onChange((edgeId) => {
    for (const client of connected) {
      const s = getSession(client);
      if (s?.edgeId !== edgeId) continue;
      const why = o.registry?.refusal(edgeId, s.credentialId);
      if (why === undefined) continue;
      s.logger.info(
        { code: IngestErrorCode.CredentialRevoked, reason: why },
        'credential revoked; disconnecting the edge',
      );
      o.metrics.authFailures.inc({ reason: IngestErrorCode.CredentialRevoked });
      client.close();
    }
  });
  return {
    listeners,
    close: async () => {
      await listeners.stopAccepting();
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
      listeners.destroyAll();
    },
  };
}
