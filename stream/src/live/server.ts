import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  cloudEventHeaders,
  compile,
  GroupDefinition,
  type GroupUpdated,
  isValidId,
  kafkaTopics,
  LIVE_PATH,
  LiveErrorCode,
  type StatsUpdated,
} from '@wattstream/contracts';
import { DEFAULT_PROFILE } from '@wattstream/metrics';
import {
  AuthErrorCode,
  type ConfigOf,
  createConsumer,
  createKafka,
  createProducer,
  createRegistry,
  ensureTopics,
  Gauge,
  isWattstreamError,
  type Logger,
  loadTokenKeys,
  type Registry,
  retryKafka,
  WattstreamError,
} from '@wattstream/platform';
import type { liveConfigSpec } from '../config.js';
import { StreamErrorCode } from '../errors.js';
import { ProfileStore } from '../profiles.js';
import { isStaff, type UserClaims, verifyUserToken } from '../token.js';
import { streamTopics } from '../topics.js';
import { GroupStore } from './groups.js';
import { Hub } from './hub.js';
import { computeLeaderboard } from './leaderboard.js';
import type { HttpRequest, HttpResponse, Transport, UpgradeRequest } from './transport.js';
import { loadNativeUws, UwsTransport } from './transport-uws.js';
import { WsTransport } from './transport-ws.js';

export type LiveConfig = ConfigOf<typeof liveConfigSpec>;

export interface LiveServer {
  readonly port: number;
  readonly transport: 'uws' | 'ws';
  readonly hub: Hub;
  readonly groups: GroupStore;
  readonly registry: Registry;
  readonly topics: ReturnType<typeof streamTopics>;
  stop(): Promise<void>;
}

const groupDefinition = compile(GroupDefinition);
const PUBLIC = new URL('../../public/', import.meta.url);
const STATIC: Record<string, string> = {
  '/': 'index.html',
  '/index.html': 'index.html',
  '/app.js': 'app.js',
  '/style.css': 'style.css',
};
const MIME: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
};
const json = (status: number, body: unknown): HttpResponse => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
const errorBody = (status: number, code: string, message: string) => json(status, { code, message });

/** Chooses the transport: uWebSockets.js when its native binary loads, else ws (logged). */
export function selectTransport(
  want: LiveConfig['transport'],
  opts: ConstructorParameters<typeof UwsTransport>[1],
  softLimit: number,
  logger: Logger,
): Transport {
  if (want === 'ws') return new WsTransport(opts, softLimit);
  const native = loadNativeUws();
  if (native.ok) {
    logger.info({ binary: native.binary }, 'live transport: uWebSockets.js (native)');
    return new UwsTransport(native.uws, opts);
  }
  if (want === 'uws') {
    throw new WattstreamError(
      StreamErrorCode.UwsRequired,
      `LIVE_TRANSPORT=uws but uWebSockets.js cannot be used: ${native.reason}; use Node 20 on glibc ≥ 2.36 or LIVE_TRANSPORT=auto`,
    );
  }
  logger.warn(
    { code: StreamErrorCode.UwsUnavailable, reason: native.reason },
    'uWebSockets.js native binary unavailable: live transport falls back to ws (slower fan-out)',
  );
  return new WsTransport(opts, softLimit);
}

/**
 * The live server: follows `tracking.stats.updated` (every node reads every partition, no
 * commits), keeps a 60 s history per channel, computes group leaderboards, and pushes to
 * WebSocket clients at `/v1/live`. Also serves the dashboard and `PUT /v1/groups/{id}`.
 */
export async function startLiveServer(cfg: LiveConfig, logger: Logger): Promise<LiveServer> {
  const topics = streamTopics(cfg.topicPrefix);
  const keys = loadTokenKeys(cfg, cfg.dataDir, logger);
  const kafka = createKafka({ brokers: cfg.kafkaBrokers, clientId: `stream-live-${cfg.instanceId}`, logger });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(
    admin,
    [
      { name: topics.stats, configs: kafkaTopics.statsUpdated.configs },
      { name: topics.groups, configs: kafkaTopics.groupUpdated.configs },
      { name: topics.profiles, configs: kafkaTopics.profileUpdated.configs },
    ],
    { partitions: cfg.partitions, logger },
  );

  const registry = createRegistry('stream-live');
  const profiles = new ProfileStore(kafka, topics.profiles, `live-profiles-${cfg.instanceId}`, logger);
  const groups = new GroupStore(kafka, topics.groups, `live-groups-${cfg.instanceId}`, logger);
  const producer = createProducer(kafka);
  await Promise.all([profiles.start(), groups.start(), producer.connect()]);
  await Promise.all([profiles.caughtUp(10_000), groups.caughtUp(10_000)]);

  const hub = new Hub(
    {
      authTimeoutMs: cfg.authTimeoutMs,
      maxSubscriptions: cfg.maxSubscriptions,
      historyMs: cfg.historyMs,
      softBufferBytes: cfg.softBufferBytes,
      maxBufferBytes: cfg.maxBufferBytes,
      slowClientTimeoutMs: cfg.slowClientTimeoutMs,
    },
    keys,
    groups,
    logger,
  );

  // Leaderboards: groups whose members changed are recomputed at most once per interval.
  const groupsOf = new Map<string, Set<string>>();
  const dirtyGroups = new Set<string>();
  const boardSeq = new Map<string, number>();
  const reindex = () => {
    groupsOf.clear();
    for (const g of groups.groups.values()) {
      for (const m of g.members) {
        let s = groupsOf.get(m);
        if (s === undefined) {
          s = new Set();
          groupsOf.set(m, s);
        }
        s.add(g.groupId);
      }
    }
  };
  reindex();
  groups.onChange = (id) => {
    reindex();
    dirtyGroups.add(id);
  };
  const latestStats = (athleteId: string): StatsUpdated | undefined => {
    const raw = hub.channels.get(`athlete:${athleteId}`)?.latestRaw;
    if (!raw) return undefined;
    const s = JSON.parse(raw) as StatsUpdated;
    return typeof s.metrics === 'object' && s.metrics !== null ? s : undefined;
  };
  const boards = setInterval(() => {
    const now = Date.now();
    for (const id of dirtyGroups) {
      dirtyGroups.delete(id);
      const g = groups.get(id);
      if (g === undefined) continue;
      let board: ReturnType<typeof computeLeaderboard>;
      try {
        board = computeLeaderboard(g, latestStats, (a) => (profiles.get(a) ?? DEFAULT_PROFILE).weightKg, now);
      } catch (err) {
        logger.warn({ err, groupId: id }, 'leaderboard not computed');
        continue;
      }
      const seq = (boardSeq.get(id) ?? 0) + 1;
      boardSeq.set(id, seq);
      const raw = JSON.stringify(board);
      const name = `group:${id}`;
      hub.publish(
        name,
        seq,
        now,
        raw,
        Buffer.from(`{"type":"leaderboard","channel":"${name}","seq":${seq},"data":${raw}}`),
      );
    }
    hub.flush();
  }, cfg.leaderboardIntervalMs);
  boards.unref();

  // Stats: every node reads every partition, from LIVE_HISTORY ago, and commits nothing.
  let badStats = 0;
  const consumer = createConsumer(kafka, {
    groupId: `live-stats-${cfg.instanceId}-${randomUUID()}`,
    maxWaitTimeInMs: 50,
  });
  await consumer.connect();
  await consumer.subscribe({ topic: topics.stats, fromBeginning: false });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) {
        if (m.value === null) continue;
        const athleteId = m.key?.toString('utf8') ?? '';
        if (!isValidId(athleteId)) continue;
        const raw = m.value.toString('utf8');
        // a record that is not a stats object must never reach a client as a broken frame
        let parsed: Partial<StatsUpdated>;
        try {
          parsed = JSON.parse(raw) as Partial<StatsUpdated>;
        } catch {
          badStats++;
          continue;
        }
        const seq = parsed.seq;
        if (parsed.athleteId !== athleteId || typeof seq !== 'number' || !Number.isInteger(seq) || seq < 0) {
          badStats++;
          continue;
        }
        const name = `athlete:${athleteId}`;
        hub.publish(
          name,
          seq,
          Number(m.timestamp),
          raw,
          Buffer.from(`{"type":"stats","channel":"${name}","seq":${seq},"data":${raw}}`),
        );
        const gs = groupsOf.get(athleteId);
        if (gs) for (const g of gs) dirtyGroups.add(g);
      }
      hub.flush();
    },
  });
  const from = await retryKafka(() => admin.fetchTopicOffsetsByTimestamp(topics.stats, Date.now() - cfg.historyMs));
  for (const { partition, offset } of from) consumer.seek({ topic: topics.stats, partition, offset });

  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  gauge('wattstream_live_connections', 'open WebSocket connections', () => hub.stats.connections);
  gauge('wattstream_live_frames_sent', 'frames written since start', () => hub.stats.framesSent);
  gauge(
    'wattstream_live_frames_coalesced',
    'frames replaced by a newer one (latest wins)',
    () => hub.stats.framesCoalesced,
  );
  gauge('wattstream_live_slow_disconnects', 'clients disconnected as too slow', () => hub.stats.slowDisconnects);
  gauge('wattstream_live_auth_failures', 'connections refused for their token', () => hub.stats.authFailures);
  gauge('wattstream_live_bad_stats', 'tracking.stats.updated records skipped as malformed', () => badStats);

  const index = Object.fromEntries(
    Object.entries(STATIC).map(([path, file]) => [path, readFileSync(new URL(file, PUBLIC))]),
  );

  /** The caller's claims from `Authorization: Bearer` (or `?access_token=` where allowed), or a 401. */
  async function requestClaims(req: HttpRequest, opts: { queryToken: boolean }): Promise<UserClaims | HttpResponse> {
    const auth = req.headers.authorization ?? '';
    const bearer = auth.toLowerCase().startsWith('bearer ') ? auth.slice(7).trim() : undefined;
    const token = bearer ?? (opts.queryToken ? (req.query.get('access_token') ?? undefined) : undefined);
    try {
      return await verifyUserToken(keys, token);
    } catch (err) {
      return isWattstreamError(err)
        ? errorBody(401, err.code, err.message)
        : errorBody(401, AuthErrorCode.TokenInvalid, 'bad token');
    }
  }

  async function putGroup(id: string, req: HttpRequest): Promise<HttpResponse> {
    const claims = await requestClaims(req, { queryToken: false });
    if ('status' in claims) return claims;
    if (!isStaff(claims)) return errorBody(403, LiveErrorCode.Forbidden, 'only a coach or an admin may define groups');
    let body: unknown;
    try {
      body = JSON.parse(req.body.toString('utf8'));
    } catch {
      return errorBody(400, StreamErrorCode.GroupInvalid, 'body must be JSON: {"name","members","rankBy"}');
    }
    const r = groupDefinition.validate(body);
    if (!r.ok) return errorBody(400, StreamErrorCode.GroupInvalid, r.error.message);
    const updatedAt = Math.max(Date.now(), (groups.get(id)?.updatedAt ?? 0) + 1);
    const group: GroupUpdated = { groupId: id, ...r.value, updatedBy: claims.sub, updatedAt };
    await producer.send({
      topic: topics.groups,
      acks: -1,
      messages: [
        {
          key: id,
          value: JSON.stringify(group),
          headers: cloudEventHeaders({
            type: kafkaTopics.groupUpdated.name,
            id: `${id}:${updatedAt}`,
            source: '/live',
          }),
        },
      ],
    });
    await groups.seen(id, updatedAt, 10_000);
    return json(200, group);
  }

  async function getGroups(req: HttpRequest, id: string | undefined): Promise<HttpResponse> {
    const claims = await requestClaims(req, { queryToken: true });
    if ('status' in claims) return claims;
    const visible = [...groups.groups.values()].filter((g) => hub.allowed(claims, `group:${g.groupId}`));
    if (id === undefined) return json(200, { groups: visible });
    const g = visible.find((x) => x.groupId === id);
    return g ? json(200, g) : errorBody(404, LiveErrorCode.UnknownGroup, `no group ${id} visible to you`);
  }

  async function http(req: HttpRequest): Promise<HttpResponse> {
    const file = STATIC[req.path];
    if (file !== undefined && req.method === 'GET') {
      return {
        status: 200,
        headers: { 'content-type': MIME[file.split('.').pop() ?? ''] ?? 'text/plain' },
        body: index[req.path],
      };
    }
    if (req.path === '/healthz') return json(200, { status: 'ok', transport: transport.name });
    if (req.path === '/readyz') return json(200, { status: 'ready', transport: transport.name });
    if (req.path === '/metrics' && cfg.metricsEnabled) {
      return { status: 200, headers: { 'content-type': registry.contentType }, body: await registry.metrics() };
    }
    const m = /^\/v1\/groups(?:\/([^/]+))?$/.exec(req.path);
    if (m) {
      const id = m[1] === undefined ? undefined : decodeURIComponent(m[1]);
      if (id !== undefined && !isValidId(id)) {
        return errorBody(400, StreamErrorCode.GroupInvalid, 'group ids are 1–64 chars of [A-Za-z0-9_-]');
      }
      if (req.method === 'PUT' && id !== undefined) return putGroup(id, req);
      if (req.method === 'GET') return getGroups(req, id);
      return errorBody(405, StreamErrorCode.NotFound, `${req.method} is not supported on ${req.path}`);
    }
    return errorBody(404, StreamErrorCode.NotFound, `no route ${req.method} ${req.path}`);
  }

  const allowAny = cfg.origins.includes('*');
  const upgrade = (req: UpgradeRequest) => {
    const origin = req.headers.origin;
    if (origin === undefined || allowAny || cfg.origins.includes(origin)) return { ok: true as const };
    const host = req.headers.host;
    if (host !== undefined && (origin === `http://${host}` || origin === `https://${host}`))
      return { ok: true as const };
    return {
      ok: false as const,
      status: 403,
      body: JSON.stringify({
        code: LiveErrorCode.OriginRejected,
        message: `origin ${origin} is not allowed; add it to LIVE_ALLOWED_ORIGINS`,
      }),
    };
  };

  const transport = selectTransport(
    cfg.transport,
    {
      path: LIVE_PATH,
      maxPayloadBytes: cfg.maxPayloadBytes,
      maxBodyBytes: 256 * 1024,
      maxBackpressure: cfg.maxBufferBytes * 4,
    },
    cfg.softBufferBytes,
    logger,
  );
  const nativePublish = transport.publish?.bind(transport);
  if (nativePublish) hub.useNativePublish(nativePublish);
  const conns = new WeakMap<object, ReturnType<Hub['open']>>();
  const port = await transport.listen(
    cfg.host,
    cfg.livePort,
    {
      upgrade,
      open: (sock, req) => void conns.set(sock, hub.open(sock, req)),
      message: (sock, text) => {
        const c = conns.get(sock);
        if (c) hub.message(c, text);
      },
      drain: (sock) => {
        const c = conns.get(sock);
        if (c) hub.drain(c);
      },
      close: (sock) => {
        const c = conns.get(sock);
        if (c) hub.close(c);
      },
    },
    http,
  );
  logger.info({ port, transport: transport.name, path: LIVE_PATH, topics }, 'live server listening');

  return {
    port,
    transport: transport.name,
    hub,
    groups,
    registry,
    topics,
    async stop() {
      clearInterval(boards);
      hub.shutdown();
      await transport.close();
      await consumer.disconnect().catch(() => {});
      await Promise.all([profiles.stop(), groups.stop(), producer.disconnect().catch(() => {})]);
      await admin.disconnect().catch(() => {});
    },
  };
}
