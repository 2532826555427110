import type { TSchema } from '@sinclair/typebox';
import { EdgeCommand, EdgeError, EdgeStatus } from './events/edge.js';
import { KAFKA_TOPICS } from './kafka-topics.js';
import {
  LIVE_PATH,
  LiveAuth,
  LiveError,
  LiveLeaderboard,
  LiveStats,
  LiveSubscribe,
  LiveSubscribed,
  LiveUnsubscribe,
} from './live.js';
import { SampleBatch } from './samples.js';

export const JSON_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

/** A contract schema as a standalone JSON Schema 2020-12 document. */
export function toJsonSchemaDocument(schema: TSchema): Record<string, unknown> {
  return { $schema: JSON_SCHEMA_DIALECT, ...plain(schema) };
}

/** Strips TypeBox's symbol keys and nested `$id`s so the schema embeds anywhere. */
function plain(schema: unknown, depth = 0): Record<string, unknown> {
  const json = JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
  const strip = (node: unknown, d: number): void => {
    if (Array.isArray(node)) {
      for (const n of node) strip(n, d + 1);
      return;
    }
    if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      if (d > 0) delete o.$id;
      for (const v of Object.values(o)) strip(v, d + 1);
    }
  };
  strip(json, depth);
  return json;
}

const ID_PARAM = (what: string) => ({ description: `${what}: 1–64 chars of [A-Za-z0-9_-]` });

const ceHeaders = (type: string) => ({
  type: 'object',
  required: ['ce_specversion', 'ce_type', 'ce_id', 'ce_source', 'ce_time', 'content-type'],
  properties: {
    ce_specversion: { type: 'string', const: '1.0' },
    ce_type: { type: 'string', const: type },
    ce_id: { type: 'string' },
    ce_source: { type: 'string' },
    ce_time: { type: 'string', format: 'date-time' },
    'content-type': { type: 'string', const: 'application/json' },
    traceparent: { type: 'string', description: 'W3C trace context, when a trace exists' },
  },
});

const camel = (topic: string) => topic.replace(/\.(\w)/g, (_, c: string) => c.toUpperCase());
const payload = (schema: TSchema) => ({
  schemaFormat: 'application/schema+json;version=draft-07',
  schema: plain(schema),
});

/**
 * The AsyncAPI 3 document for every MQTT and Kafka channel of contract v1, generated from the
 * same schemas the validators use. Other packages add their channels (e.g. the live WebSocket
 * protocol) through `extraChannels`.
 */
export function buildAsyncApi(): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};

  const mqtt = (
    key: string,
    address: string,
    param: string,
    schema: TSchema,
    action: 'send' | 'receive',
    summary: string,
    qos: 0 | 1,
    retain = false,
  ) => {
    const msg = `${key}Message`;
    messages[msg] = {
      name: msg,
      contentType: 'application/json',
      payload: payload(schema),
      bindings: { mqtt: { bindingVersion: '0.2.0' } },
    };
    const parameters: Record<string, unknown> = {};
    for (const p of address.match(/\{(\w+)\}/g) ?? []) parameters[p.slice(1, -1)] = ID_PARAM(param);
    channels[key] = {
      address,
      title: summary,
      servers: [{ $ref: '#/servers/mqtt' }],
      parameters,
      messages: { [msg]: { $ref: `#/components/messages/${msg}` } },
    };
    operations[`${action}${key[0]?.toUpperCase()}${key.slice(1)}`] = {
      action,
      channel: { $ref: `#/channels/${key}` },
      summary,
      bindings: { mqtt: { qos, retain, bindingVersion: '0.2.0' } },
      messages: [{ $ref: `#/channels/${key}/messages/${msg}` }],
    };
  };

  mqtt(
    'samples',
    'v1/samples/{athleteId}/{deviceId}',
    'id',
    SampleBatch,
    'receive',
    'Sample batches from edges (QoS 1; PUBACK only after Kafka has the batch)',
    1,
  );
  mqtt(
    'edgeStatus',
    'v1/status/{edgeId}',
    'edge id',
    EdgeStatus,
    'receive',
    'Edge online/offline status; retained; the Last Will says offline',
    1,
    true,
  );
  mqtt('edgeErrors', 'v1/errors/{edgeId}', 'edge id', EdgeError, 'send', 'Why a publish from this edge was refused', 1);
  mqtt('edgeCommands', 'v1/commands/{edgeId}', 'edge id', EdgeCommand, 'send', 'Commands to an edge', 1);

  for (const t of KAFKA_TOPICS) {
    const key = camel(t.name);
    const msg = `${key}Event`;
    messages[msg] = {
      name: msg,
      title: t.name,
      summary: t.description,
      contentType: 'application/json',
      headers: ceHeaders(t.name),
      payload: payload(t.value),
      bindings: {
        kafka: { key: { type: 'string', description: t.key }, bindingVersion: '0.5.0' },
      },
      'x-ce-id': t.ceId,
      'x-ce-source': t.ceSource,
    };
    channels[key] = {
      address: t.name,
      title: t.name,
      description: `${t.description} Key: ${t.key}. Produced by ${t.producer}.`,
      servers: [{ $ref: '#/servers/kafka' }],
      messages: { [msg]: { $ref: `#/components/messages/${msg}` } },
      bindings: {
        kafka: {
          topic: t.name,
          topicConfiguration: {
            'cleanup.policy': [t.configs['cleanup.policy'] ?? 'delete'],
            ...(t.configs['retention.ms'] ? { 'retention.ms': Number(t.configs['retention.ms']) } : {}),
          },
          bindingVersion: '0.5.0',
        },
      },
    };
    operations[`send${key[0]?.toUpperCase()}${key.slice(1)}`] = {
      action: 'send',
      channel: { $ref: `#/channels/${key}` },
      summary: `${t.producer} produces ${t.name}`,
      messages: [{ $ref: `#/channels/${key}/messages/${msg}` }],
    };
  }

  // The live WebSocket channel (live server): one channel, client and server messages on it.
  const liveClient: [string, TSchema, string][] = [
    ['liveAuth', LiveAuth, 'authenticate, or renew the token of an open connection'],
    ['liveSubscribe', LiveSubscribe, 'follow a channel; `since` replays missed frames from a 60 s history'],
    ['liveUnsubscribe', LiveUnsubscribe, 'stop following a channel'],
  ];
  const liveServer: [string, TSchema, string][] = [
    ['liveSubscribed', LiveSubscribed, 'subscription accepted, with the latest state at once'],
    ['liveStats', LiveStats, "an athlete's live statistics (at most 4 per second, latest wins for slow clients)"],
    ['liveLeaderboard', LiveLeaderboard, "a group's leaderboard (at most once per second)"],
    ['liveError', LiveError, 'an error; auth errors are followed by close code 4401'],
  ];
  const liveMessages: Record<string, unknown> = {};
  for (const [name, schema, summary] of [...liveClient, ...liveServer]) {
    messages[name] = { name, summary, contentType: 'application/json', payload: payload(schema) };
    liveMessages[name] = { $ref: `#/components/messages/${name}` };
  }
  channels.live = {
    address: LIVE_PATH,
    title: 'Live statistics and leaderboards (WebSocket)',
    description:
      'Authenticate with a user JWT (audience wattstream:user) as the access_token query parameter or a first ' +
      '`auth` message. Athlete channels are open to that athlete, to users whose `watch` claim lists them and to ' +
      'coaches and admins; group channels to members, users watching a member, coaches and admins. The Origin ' +
      'header is checked against an allow-list. Close codes: 4401 unauthorized or token expired, 4400 bad message, ' +
      '4408 slow client.',
    servers: [{ $ref: '#/servers/live' }],
    messages: liveMessages,
    bindings: {
      ws: {
        method: 'GET',
        query: {
          type: 'object',
          properties: { access_token: { type: 'string', description: 'user JWT (alternative to an auth message)' } },
        },
        bindingVersion: '0.1.0',
      },
    },
  };
  operations.receiveLiveClientMessages = {
    action: 'receive',
    channel: { $ref: '#/channels/live' },
    summary: 'The live server receives auth, subscribe and unsubscribe messages',
    messages: liveClient.map(([name]) => ({ $ref: `#/channels/live/messages/${name}` })),
  };
  operations.sendLiveServerMessages = {
    action: 'send',
    channel: { $ref: '#/channels/live' },
    summary: 'The live server sends subscribed, stats, leaderboard and error messages',
    messages: liveServer.map(([name]) => ({ $ref: `#/channels/live/messages/${name}` })),
  };

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'wattstream',
      version: '1.0.0',
      description:
        'Contract v1 of wattstream: MQTT topics between edge agents and ingest, the Kafka topics ' +
        'between services, and the live WebSocket protocol. Kafka records carry CloudEvents 1.0 attributes as headers (binary mode). ' +
        'Generated from packages/contracts; do not edit by hand.',
    },
    defaultContentType: 'application/json',
    servers: {
      mqtt: {
        host: '127.0.0.1:1883',
        protocol: 'mqtt',
        protocolVersion: '3.1.1',
        description: 'ingest MQTT endpoint; username = edgeId, password = edge JWT',
      },
      kafka: {
        host: '127.0.0.1:19092',
        protocol: 'kafka',
        description: 'Apache Kafka 4 (KRaft)',
      },
      live: {
        host: '127.0.0.1:8090',
        pathname: LIVE_PATH,
        protocol: 'ws',
        description: 'live server (pnpm stream live); also serves the dashboard and PUT /v1/groups/{groupId}',
      },
    },
    channels,
    operations,
    components: { messages },
  };
}
