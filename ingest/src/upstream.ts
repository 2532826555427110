import {
  ContractErrorCode,
  isValidId,
  mqttTopics,
  parseMqttTopic,
  SAMPLES_TOPIC_FILTER_ALL,
} from '@wattstream/contracts';
import { componentLogger, type Logger } from '@wattstream/platform';
import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import { IngestErrorCode } from './errors.js';
import { Intake } from './intake.js';
import type { KafkaWriter } from './kafka-writer.js';
import type { IngestMetrics } from './metrics.js';
import type { RecordBuilder } from './records.js';

export interface UpstreamOptions {
  url: string;
  username: string | undefined;
  password: string | undefined;
  group: string;
  /** Stable per replica: the broker keeps each connection's session (and its unacked messages). */
  clientIdPrefix: string;
  connections: number;
  /** edgeId used when a publish carries no `edgeId` user property. */
  fallbackEdgeId: string;
  writer: KafkaWriter;
  records: RecordBuilder;
  metrics: IngestMetrics;
  logger: Logger;
}

export interface Upstream {
  readonly clients: readonly MqttClient[];
  /** Resolves once every connection is subscribed. */
  readonly ready: Promise<void>;
  connected(): number;
  /** Stops taking new messages (unsubscribes); in-flight ones finish. */
  stopIntake(): Promise<void>;
  close(): Promise<void>;
}

const SESSION_EXPIRY_S = 7 * 24 * 3600;

/** Reads one MQTT 5 user property (a string, or the first of several). */
function userProperty(packet: IPublishPacket, name: string): string | undefined {
  const v = packet.properties?.userProperties?.[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * Scale-out mode: instead of the embedded broker, consume `$share/<group>/v1/samples/#` from an
 * external broker (Mosquitto, EMQX), so N replicas split the load. Each replica opens
 * `connections` MQTT 5 sessions (clean start off, long session expiry, stable client ids); the
 * broker hands each message to one member of the group.
 *
 * A message's PUBACK to the broker is sent only after Kafka acknowledged its record (mqtt.js'
 * `handleMessage` gates the PUBACK and the next packet of that connection), so a replica that dies
 * leaves its unacknowledged messages in its session at the broker, redelivered when it comes
 * back with the same client id. What does NOT hold in this mode (see README): the edge's PUBACK
 * comes from the broker, not after Kafka; authentication and ACLs are the broker's job; the
 * publishing edge is known only when it sends an `edgeId` user property.
 */
export function startUpstream(o: UpstreamOptions): Upstream {
  const log = componentLogger(o.logger, 'upstream');
  const filter = `$share/${o.group}/${SAMPLES_TOPIC_FILTER_ALL}`;
  const clients: MqttClient[] = [];
  let connected = 0;
  let stopping = false;

  const publishEdgeError = (edgeId: string, error: unknown) => {
    if (edgeId === o.fallbackEdgeId) return; // nobody to tell
    const c = clients.find((x) => x.connected);
    c?.publish(mqttTopics.errors(edgeId), JSON.stringify(error), { qos: 1 }, (err) => {
      if (err) log.warn({ err, edgeId }, 'could not publish an edge error');
    });
  };
  const intake = new Intake({
    writer: o.writer,
    records: o.records,
    metrics: o.metrics,
    logger: log,
    publishEdgeError,
  });

  const handle = async (packet: IPublishPacket): Promise<void> => {
    const receivedAt = Date.now();
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    const claimed = userProperty(packet, 'edgeId');
    const edgeId = claimed !== undefined && isValidId(claimed) ? claimed : o.fallbackEdgeId;
    const traceparent = userProperty(packet, 'traceparent');
    const t = parseMqttTopic(packet.topic);
    const base = { edgeId, topic: packet.topic, payload, qos: packet.qos, receivedAt, traceparent };
    if (t?.kind !== 'samples') {
      return intake.rejectTopic(
        base,
        ContractErrorCode.Topic,
        `topic ${packet.topic} is not v1/samples/{athleteId}/{deviceId}`,
      );
    }
    if (claimed === undefined) o.metrics.rejected.inc({ reason: IngestErrorCode.UnknownEdge }); // counted, still stored
    return intake.samples({ ...base, athleteId: t.athleteId, deviceId: t.deviceId });
  };

  const subscribed: Promise<void>[] = [];
  for (let i = 0; i < o.connections; i++) {
    const clientId = `${o.clientIdPrefix}-${i}`;
    const client = mqtt.connect(o.url, {
      clientId,
      protocolVersion: 5,
      clean: false,
      properties: { sessionExpiryInterval: SESSION_EXPIRY_S },
      keepalive: 30,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      resubscribe: false,
      ...(o.username === undefined ? {} : { username: o.username }),
      ...(o.password === undefined ? {} : { password: o.password }),
    });
    // Called for every QoS 0/1/2 PUBLISH; the PUBACK (and the next packet) waits for the callback.
    client.handleMessage = (packet, done) => {
      handle(packet as IPublishPacket).then(
        () => done(),
        (err: unknown) => {
          // No PUBACK: the broker redelivers from this session after a reconnect.
          log.warn({ err, topic: packet.topic }, 'message not acknowledged upstream');
          done(err as Error);
        },
      );
    };
    let isUp = false;
    subscribed.push(
      new Promise<void>((resolve) => {
        client.on('connect', (connack) => {
          if (!isUp) {
            isUp = true;
            connected++;
            o.metrics.upstreamConnected.set(connected);
          }
          log.info({ clientId, sessionPresent: connack.sessionPresent }, 'connected to the upstream broker');
          if (stopping) return resolve();
          // Always (re)subscribe: idempotent, and a graceful stop unsubscribed this session.
          client.subscribe(filter, { qos: 1 }, (err, granted) => {
            if (err || !granted || granted.some((g) => g.qos > 2)) {
              log.error({ err, granted, filter }, 'upstream subscription refused');
              return;
            }
            resolve();
          });
        });
      }),
    );
    client.on('close', () => {
      if (isUp) {
        isUp = false;
        connected--;
        o.metrics.upstreamConnected.set(connected);
      }
    });
    client.on('error', (err) => log.warn({ err: err.message, clientId }, 'upstream connection error'));
    clients.push(client);
  }

  return {
    clients,
    ready: Promise.all(subscribed).then(() => undefined),
    connected: () => connected,
    stopIntake: async () => {
      stopping = true;
      // Unsubscribing ends this replica's share; its session (and nothing in flight) stays.
      await Promise.all(clients.filter((c) => c.connected).map((c) => c.unsubscribeAsync(filter).catch(() => {})));
    },
    close: async () => {
      stopping = true;
      await Promise.all(clients.map((c) => c.endAsync().catch(() => {})));
    },
  };
}
