import { EventEmitter } from 'node:events';
import { compile, EdgeError, type EdgeStatus, mqttTopics } from '@wattstream/contracts';
import type { Logger } from '@wattstream/platform';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { EdgeErrorCode } from '../errors.js';
import type { EdgeMetrics } from '../metrics.js';
import type { DiskQueue, QueuedRecord } from '../queue/disk-queue.js';
import { CommandReader } from './commands.js';

export interface PublisherOptions {
  url: string;
  edgeId: string;
  token?: string | undefined;
  /** MQTT client id; stable across restarts so the broker resumes the session (default: edgeId). */
  clientId?: string;
  queue: DiskQueue;
  logger: Logger;
  metrics?: EdgeMetrics;
  /** Most unacknowledged publishes handed to the client at once. */
  inflightWindow?: number;
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  connectTimeoutMs?: number;
  keepaliveS?: number;
  version?: string;
  /** Extra fields for the online status (queue depth is added). */
  statusInfo?: () => Pick<EdgeStatus, 'sensors'>;
}

const validateEdgeError = compile(EdgeError);

/**
 * Publishes queued batches to the broker: MQTT 3.1.1, QoS 1, persistent session (`clean: false`,
 * stable client id), username = edgeId, password = the edge token. A batch is acknowledged in the
 * queue only from its PUBACK callback. At most `inflightWindow` batches are handed to the client
 * at a time, in queue order (so in seq order per device); mqtt.js retransmits those itself after a
 * reconnect, and the queue replays anything older after a restart.
 *
 * Events: `connect`, `disconnect`, `rejected` (an `EdgeError` from ingest),
 * `command` (a valid `EdgeCommand` not seen before, from `v1/commands/{edgeId}`).
 */
export class Publisher extends EventEmitter {
  private client: MqttClient | undefined;
  private inflight = 0;
  private needRewind = false;
  private backoff: number;
  private stopping = false;
  readonly topics: { status: string; errors: string; commands: string };
  private readonly commands = new CommandReader();

  constructor(private readonly opts: PublisherOptions) {
    super();
    this.backoff = opts.reconnectMinMs ?? 500;
    this.topics = {
      status: mqttTopics.status(opts.edgeId),
      errors: mqttTopics.errors(opts.edgeId),
      commands: mqttTopics.commands(opts.edgeId),
    };
  }

  get connected(): boolean {
    return this.client?.connected === true;
  }

  /** Connected to the broker at least once since start (so the token and URL are right). */
  everConnected = false;

  start(): void {
    const o = this.opts;
    const options: IClientOptions = {
      protocolVersion: 4, // MQTT 3.1.1
      clientId: o.clientId ?? o.edgeId,
      clean: false,
      username: o.edgeId,
      ...(o.token ? { password: o.token } : {}),
      keepalive: o.keepaliveS ?? 30,
      connectTimeout: o.connectTimeoutMs ?? 10_000,
      reconnectPeriod: this.backoff,
      resubscribe: true,
      will: {
        topic: this.topics.status,
        payload: Buffer.from(JSON.stringify(this.status('offline'))),
        qos: 1,
        retain: true,
      },
    };
    const client = connect(o.url, options);
    this.client = client;
    client.on('connect', (connack) => {
      this.everConnected = true;
      this.backoff = o.reconnectMinMs ?? 500;
      client.options.reconnectPeriod = this.backoff;
      o.metrics?.mqttConnected.set(1);
      o.logger.info(
        { url: o.url, sessionPresent: connack.sessionPresent, queueDepth: o.queue.depth },
        'connected to broker',
      );
      const inbound = [this.topics.errors, this.topics.commands];
      client.subscribe(inbound, { qos: 1 }, (err, granted) => {
        // SUBACK 0x80 is a refusal (MQTT-3.9.3-2), e.g. a broker ACL without the commands topic
        const refused = granted?.filter((g) => g.qos === 128).map((g) => g.topic) ?? [];
        if (err || refused.length > 0)
          o.logger.warn(
            { err, topics: err ? inbound : refused },
            'could not subscribe; the platform cannot reach this edge',
          );
      });
      this.publishStatus('online');
      this.emit('connect');
      this.pump();
    });
    client.on('close', () => {
      if (o.metrics) o.metrics.mqttConnected.set(0);
      if (this.stopping) return;
      // Exponential backoff between reconnect attempts; mqtt.js reads reconnectPeriod each time.
      this.backoff = Math.min(this.backoff * 2, o.reconnectMaxMs ?? 15_000);
      client.options.reconnectPeriod = this.backoff;
      this.emit('disconnect');
    });
    client.on('offline', () =>
      o.logger.warn({ url: o.url, queueDepth: o.queue.depth }, 'broker unreachable; queueing to disk'),
    );
    client.on('error', (err) => {
      const code = (err as { code?: unknown }).code;
      // CONNACK refusals (bad credentials, not authorized) will not fix themselves: say so clearly.
      if (code === 4 || code === 5) {
        o.logger.error(
          { code: EdgeErrorCode.MqttRefused, reason: err.message, edgeId: o.edgeId },
          'the broker refused the connection: check EDGE_ID and EDGE_TOKEN (mint one with `pnpm ingest token --edge <id>`)',
        );
      } else {
        o.logger.warn({ err: err.message, url: o.url }, 'MQTT connection error');
      }
    });
    client.on('message', (topic, payload) => {
      if (topic === this.topics.errors) this.onRejection(payload);
      else if (topic === this.topics.commands) this.onCommand(payload);
    });
  }

  /** Hands queued batches to the client while the in-flight window has room. */
  pump(): void {
    const client = this.client;
    if (!client?.connected || this.stopping) return;
    const window = this.opts.inflightWindow ?? 64;
    if (this.needRewind && this.inflight === 0) {
      this.needRewind = false;
      this.opts.queue.rewind();
    }
    while (this.inflight < window && !this.needRewind) {
      const rec = this.opts.queue.next();
      if (!rec) break;
      this.inflight++;
      client.publish(rec.topic, rec.body, { qos: 1 }, (err) => this.onPublished(rec, err));
    }
  }

  private onPublished(rec: QueuedRecord, err: Error | undefined): void {
    this.inflight--;
    if (err) {
      // The client gave up on this publish (closed while disconnecting): send it again from the
      // queue once everything in flight has settled, keeping per-device order.
      this.needRewind = true;
      if (!this.stopping)
        this.opts.logger.warn({ err: err.message, topic: rec.topic, seq: rec.seq }, 'publish failed; will resend');
    } else {
      this.opts.queue.ack(rec);
      this.opts.metrics?.batchesAcked.inc();
    }
    this.pump();
  }

  private onRejection(payload: Buffer): void {
    let parsed: unknown;
    try {
      parsed = JSON.parse(payload.toString('utf8'));
    } catch {
      this.opts.logger.warn({ bytes: payload.length }, 'unreadable message on the errors topic');
      return;
    }
    const r = validateEdgeError.validate(parsed);
    if (!r.ok) {
      this.opts.logger.warn({ reason: r.error.message }, 'malformed EdgeError on the errors topic');
      return;
    }
    const e = r.value;
    this.opts.metrics?.rejections.inc({ code: e.code });
    this.opts.logger.warn(
      { code: e.code, topic: e.topic, seq: e.seq, reason: e.message },
      `the platform rejected a batch: ${e.message}`,
    );
    this.emit('rejected', e);
  }

  private onCommand(payload: Buffer): void {
    const r = this.commands.read(payload);
    if (r.ok) {
      this.opts.logger.info({ id: r.command.id, type: r.command.type }, 'command received');
      this.emit('command', r.command);
    } else if (r.duplicate) {
      this.opts.metrics?.commands.inc({ type: r.command.type, result: 'duplicate' });
      this.opts.logger.debug({ id: r.command.id }, 'command already executed; ignoring the redelivery');
    } else {
      this.opts.metrics?.commands.inc({ type: 'unknown', result: 'invalid' });
      this.opts.logger.warn(
        { code: EdgeErrorCode.CommandInvalid, reason: r.reason },
        `ignoring an invalid command on ${this.topics.commands}: ${r.reason}`,
      );
    }
  }

  status(state: 'online' | 'offline'): EdgeStatus {
    return {
      state,
      ts: Date.now(),
      ...(this.opts.version ? { version: this.opts.version } : {}),
      queueDepth: this.opts.queue.depth,
      ...(this.opts.statusInfo?.() ?? {}),
    };
  }

  publishStatus(state: 'online' | 'offline'): Promise<void> {
    const client = this.client;
    if (!client?.connected) return Promise.resolve();
    return new Promise((resolve) => {
      client.publish(this.topics.status, JSON.stringify(this.status(state)), { qos: 1, retain: true }, () => resolve());
    });
  }

  /** Resolves when the queue is empty (or after `timeoutMs`). */
  async drain(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.opts.queue.depth === 0) return true;
      this.pump();
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.opts.queue.depth === 0;
  }

  /** Publishes the offline status and disconnects. Unacknowledged batches stay queued on disk. */
  async stop(): Promise<void> {
    const client = this.client;
    if (!client) return;
    if (client.connected) {
      await Promise.race([this.publishStatus('offline'), new Promise((r) => setTimeout(r, 2000))]);
    }
    this.stopping = true;
    await new Promise<void>((resolve) => client.end(true, {}, () => resolve()));
    this.opts.metrics?.mqttConnected.set(0);
  }
}
