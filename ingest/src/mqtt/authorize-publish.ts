import { setTimeout as delay } from 'node:timers/promises';
import type { EdgeError } from '@wattstream/contracts';
import { parseMqttTopic } from '@wattstream/contracts';
import type { Logger } from '@wattstream/platform';
import type { AedesOptions } from 'aedes';
import { IngestErrorCode, ingestError } from '../errors.js';
import type { EdgeErrorPublisher, Intake } from '../intake.js';
import type { IngestMetrics } from '../metrics.js';
import { canPublish } from './acl.js';
import type { RateLimiter } from './rate-limit.js';
import { getSession } from './session.js';
import { statusProblem } from './status.js';

export interface AuthorizePublishDeps {
  intake: Intake;
  rateLimiter: RateLimiter;
  metrics: IngestMetrics;
  logger: Logger;
  publishEdgeError: EdgeErrorPublisher;
}

/**
 * aedes `authorizePublish`: the only hook that runs before aedes writes the PUBACK of a QoS 1
 * PUBLISH (it writes the PUBACK, then routes). So the whole intake happens here: ACL, rate limit,
 * validation and the Kafka write; the callback fires when the publish may be acknowledged.
 *
 * A publish outside the ACL is refused: no PUBACK and the connection is closed, the second
 * choice [MQTT-3.3.5-2] allows; an acknowledgement would tell the edge the data is safe when it
 * was dropped. The edge is told why on `v1/errors/{edgeId}` (delivered from its persistent
 * session when it reconnects) and keeps the batch until its token is fixed.
 */
export function createAuthorizePublish(deps: AuthorizePublishDeps): NonNullable<AedesOptions['authorizePublish']> {
  const { intake, rateLimiter, metrics } = deps;

  const refuse = (
    edgeId: string,
    topic: string,
    reason: string,
    log: Logger,
    code: IngestErrorCode = IngestErrorCode.NotAuthorized,
  ): Error => {
    metrics.rejected.inc({ reason: code });
    metrics.publishes.inc({ kind: 'other', qos: 'any', outcome: 'refused' });
    log.warn({ topic, code }, `publish refused: ${reason}`);
    const error: EdgeError = {
      code,
      message: `publish to ${topic} refused: ${reason}; the connection is closed`,
      topic,
      ts: Date.now(),
    };
    deps.publishEdgeError(edgeId, error);
    return ingestError(code, `publish to ${topic} refused: ${reason}`);
  };

  return (client, packet, callback) => {
    if (client === null) {
      // aedes publishing the Last Will of a client that is gone: authenticate admitted only valid
      // wills on the edge's own status topic.
      const ok = parseMqttTopic(packet.topic)?.kind === 'status' && statusProblem(packet.payload) === undefined;
      return callback(ok ? null : new Error('will not allowed'));
    }
    const session = getSession(client);
    if (!session) return callback(new Error('publish before authentication'));
    const decision = canPublish(session.edgeId, session.athletes, packet.topic);
    if (!decision.allowed) return callback(refuse(session.edgeId, packet.topic, decision.reason, session.logger));
    const t = decision.topic;
    if (t.kind === 'status') {
      // Retained: every later subscriber would read it, so only a valid EdgeStatus is kept.
      const problem = statusProblem(packet.payload);
      if (problem !== undefined) {
        return callback(refuse(session.edgeId, packet.topic, problem, session.logger, IngestErrorCode.StatusInvalid));
      }
      metrics.publishes.inc({ kind: 'status', qos: String(packet.qos), outcome: 'accepted' });
      return callback(null);
    }
    // Samples are a stream, not state: never kept as a retained message.
    packet.retain = false;
    const receivedAt = Date.now();
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    const wait = rateLimiter.take(session.edgeId);
    const run = () =>
      intake.samples(
        {
          edgeId: session.edgeId,
          athleteId: t.athleteId,
          deviceId: t.deviceId,
          topic: packet.topic,
          payload,
          qos: packet.qos,
          receivedAt,
        },
        session.closed,
        session.logger,
      );
    let done: Promise<void>;
    if (wait > 0) {
      metrics.rateLimited.inc();
      // An aborted wait (the connection closed) rejects: no PUBACK, nothing written.
      done = delay(wait, undefined, { signal: session.closed }).then(run);
    } else {
      done = run();
    }
    done.then(
      () => callback(null),
      (err: unknown) => {
        session.logger.debug({ err, topic: packet.topic }, 'publish not acknowledged');
        callback(err as Error);
      },
    );
  };
}
