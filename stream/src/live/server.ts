import {
  DEFAULT_TRAINING_PROFILE as DEFAULT_PROFILE,
  kafkaTopics,
  LIVE_PATH,
  LiveErrorCode,
  liveChannel,
  type StatsUpdated,
} from '@wattstream/contracts';
import { defineService, type RunningService, type ServiceContext, startService } from '@wattstream/kernel';
import {
  type ConfigOf,
  createProducer,
  Gauge,
  Histogram,
  type Logger,
  loadTokenKeys,
  type Registry,
  WattstreamError,
  withJwks,
} from '@wattstream/platform';
import { liveConfigSpec } from '../config.js';
import { StreamErrorCode } from '../errors.js';
import { ProfileStore } from '../profiles.js';
import { verifyUserToken } from '../token.js';
import { streamTopics } from '../topics.js';
import { WatchAccess } from './access.js';
import { Leaderboards } from './boards.js';
import { StatsFeed } from './feed.js';
import { GroupStore } from './groups.js';
import { json, liveHttp } from './http.js';
import { ERROR_WINDOW_MS, Hub, MAX_ERRORS_PER_WINDOW } from './hub.js';
import { NotificationFeed } from './notifications.js';
import type { Transport, UpgradeRequest } from './transport.js';
import { loadNativeUws, UwsTransport } from './transport-uws.js';
import { WsTransport } from './transport-ws.js';

export type LiveConfig = ConfigOf<typeof liveConfigSpec>;

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

/** What `stream live` runs. */
export interface LiveParts {
  readonly port: number;
  readonly transport: 'uws' | 'ws';
  readonly hub: Hub;
  readonly groups: GroupStore;
  readonly access: WatchAccess;
  readonly topics: ReturnType<typeof streamTopics>;
}

/**
 * The live server: follows `tracking.stats.updated` (every node reads every partition, no
 * commits), keeps a 60 s history per channel, computes group leaderboards, and pushes to
 * WebSocket clients at `/v1/live`. Also serves the dashboard and `PUT /v1/groups/{id}`. Tokens are
 * the users service's (verified against its JWKS) or development ones (`stream token`); who may
 * watch whom is a projection of social's privacy and follows and the users service's coach links
 * (see `WatchAccess`). Ready once its
 * Kafka readers have caught up and the WebSocket port listens.
 */
export const liveService = defineService({
  name: 'stream-live',
  description: "live WebSocket fan-out of athletes' stats and group leaderboards",
  port: liveConfigSpec.httpPort,
  instance: liveConfigSpec.instanceId,
  config: liveConfigSpec,
  kafka: true,
  check: (c) => (c.softBufferBytes > c.maxBufferBytes ? ['LIVE_SOFT_BUFFER must not exceed LIVE_MAX_BUFFER'] : []),
  async start(ctx: ServiceContext<LiveConfig & { authJwksUrl: string }>): Promise<LiveParts> {
    const { config: cfg, logger } = ctx;
    const topics = streamTopics(cfg.topicPrefix);
    const keys = withJwks(loadTokenKeys(cfg, cfg.dataDir, logger), cfg.authJwksUrl);
    const kafka = ctx.kafka.client;
    const admin = await ctx.kafka.admin();
    const t = (name: string, contract: { configs: Readonly<Record<string, string>> }) => ({
      name,
      configs: contract.configs,
    });
    await ctx.kafka.ensureTopics(
      [
        t(topics.stats, kafkaTopics.statsUpdated),
        t(topics.groups, kafkaTopics.groupUpdated),
        t(topics.profiles, kafkaTopics.profileUpdated),
        t(topics.coachLinks, kafkaTopics.coachLinkUpdated),
        t(topics.follows, kafkaTopics.followUpdated),
        t(topics.privacy, kafkaTopics.privacyUpdated),
        t(topics.notifications, kafkaTopics.notificationLive),
      ],
      { partitions: cfg.partitions },
    );

    const profiles = new ProfileStore(kafka, topics.profiles, `live-profiles-${cfg.instanceId}`, logger);
    const groups = new GroupStore(kafka, topics.groups, `live-groups-${cfg.instanceId}`, logger);
    const access = new WatchAccess();
    const producer = createProducer(kafka);
    await Promise.all([profiles.start(), groups.start(), producer.connect()]);
    const [profilesRead, groupsRead, linksRead] = await Promise.all([
      profiles.caughtUp(10_000),
      groups.caughtUp(10_000),
      access.start(kafka, topics, cfg.instanceId, logger),
    ]);
    if (!(profilesRead && groupsRead && linksRead))
      logger.warn('profiles, groups, coach links, follows or privacy not fully read within 10 s');
    ctx.onShutdown('close', 'live: readers and producer', async () => {
      await Promise.all([profiles.stop(), groups.stop(), access.stop(), producer.disconnect().catch(() => {})]);
    });

    const hub = new Hub(
      {
        authTimeoutMs: cfg.authTimeoutMs,
        maxSubscriptions: cfg.maxSubscriptions,
        historyMs: cfg.historyMs,
        softBufferBytes: cfg.softBufferBytes,
        maxBufferBytes: cfg.maxBufferBytes,
        slowClientTimeoutMs: cfg.slowClientTimeoutMs,
        maxMessageBytes: cfg.maxPayloadBytes,
      },
      keys,
      groups,
      access,
      logger,
    );
    access.onChange = () => hub.recheckAll();

    const latestStats = (athleteId: string): StatsUpdated | undefined => {
      const raw = hub.channels.get(liveChannel.athlete(athleteId))?.latestRaw;
      if (!raw) return undefined;
      const s = JSON.parse(raw) as StatsUpdated;
      return typeof s.metrics === 'object' && s.metrics !== null ? s : undefined;
    };
    const boards = new Leaderboards(
      groups,
      latestStats,
      (a) => (profiles.get(a) ?? DEFAULT_PROFILE).weightKg,
      hub,
      logger,
      (id) => hub.groupViews.get(id),
    );
    hub.onViewCreated = (id) => boards.refresh(id);
    groups.onChange = (id) => {
      boards.groupChanged(id);
      hub.recheckAll(); // a member left: who may watch the group changed
    };
    const boardTimer = setInterval(() => boards.tick(Date.now()), cfg.leaderboardIntervalMs);
    boardTimer.unref();

    const frameDelay = new Histogram({
      name: 'wattstream_live_frame_delay_seconds',
      help: 'time from a tracking.stats.updated record reaching Kafka to its frame being sent (live SLO: p99 <= 1 s)',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2.5, 5, 10],
      registers: [ctx.registry],
    });
    const feed = new StatsFeed(
      kafka,
      admin,
      topics.stats,
      cfg.instanceId,
      hub,
      (a) => boards.statsChanged(a),
      (s) => frameDelay.observe(s),
    );
    await feed.start(cfg.historyMs);
    ctx.onShutdown('intake', 'live: stats feed', async () => {
      clearInterval(boardTimer);
      await feed.stop();
    });

    const notifications = new NotificationFeed(
      kafka,
      topics.notifications,
      `live-notifications-${cfg.instanceId}`,
      hub,
      logger,
    );
    if (!(await notifications.start())) logger.warn('notifications.live not fully read within 10 s');
    ctx.onShutdown('intake', 'live: notifications', () => notifications.stop());

    liveMetrics(ctx.registry, hub, () => feed.bad);

    const transport = selectTransport(
      cfg.transport,
      {
        path: LIVE_PATH,
        // The transports drop a message over their own limit without a close frame (uWS) or with a
        // bare 1009 (ws); up to this cap the hub sees it and answers an error frame and 1009.
        maxPayloadBytes: transportMessageCap(cfg.maxPayloadBytes),
        maxBodyBytes: 256 * 1024,
        maxBackpressure: cfg.maxBufferBytes * 4,
      },
      cfg.softBufferBytes,
      logger,
    );
    const nativePublish = transport.publish?.bind(transport);
    if (nativePublish) hub.useNativePublish(nativePublish);
    const http = liveHttp({
      groups,
      producer,
      groupsTopic: topics.groups,
      verify: (token) => verifyUserToken(keys, token),
      allowed: (claims, channel) => hub.allowed(claims, channel),
      ops: async (path) => {
        if (path === '/metrics' && !cfg.metricsEnabled)
          return json(404, { code: StreamErrorCode.NotFound, message: 'no route' });
        const r = await ctx.http.inject({ method: 'GET', url: path });
        // /healthz also says which WebSocket library serves (uws or the ws fallback).
        if (path === '/healthz') return json(r.statusCode, { ...(r.json() as object), transport: transport.name });
        return { status: r.statusCode, headers: { 'content-type': String(r.headers['content-type']) }, body: r.body };
      },
    });
    const conns = new WeakMap<object, ReturnType<Hub['open']>>();
    const port = await transport.listen(
      cfg.bindHost,
      cfg.livePort,
      {
        upgrade: originCheck(cfg.origins),
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
    ctx.onShutdown('intake', 'live: WebSocket listener', async () => {
      hub.shutdown();
      await transport.close();
    });
    logger.info({ port, transport: transport.name, path: LIVE_PATH, topics }, 'live server listening');
    return { port, transport: transport.name, hub, groups, access, topics };
  },
});

/** Browsers send an Origin: only the configured ones (and this server itself) may open the socket. */
function originCheck(origins: readonly string[]) {
  const allowAny = origins.includes('*');
  return (req: UpgradeRequest) => {
    const origin = req.headers.origin;
    if (origin === undefined || allowAny || origins.includes(origin)) return { ok: true as const };
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
}

function liveMetrics(registry: Registry, hub: Hub, badStats: () => number): void {
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
  new Gauge({
    name: 'wattstream_live_auth_failures',
    help: 'connections refused at authentication, by reason (timeout, no_token, invalid, expired, subject_changed)',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      for (const [reason, n] of Object.entries(hub.stats.authFailures)) this.set({ reason }, n);
    },
  });
  gauge(
    'wattstream_live_error_limit_closes',
    `connections closed (1008) for more than ${MAX_ERRORS_PER_WINDOW} bad requests in ${ERROR_WINDOW_MS / 1000} s`,
    () => hub.stats.errorLimitCloses,
  );
  gauge('wattstream_live_bad_stats', 'tracking.stats.updated records skipped as malformed', badStats);
}

export type LiveServer = RunningService<LiveConfig, LiveParts> &
  LiveParts & { readonly registry: Registry; stop(): Promise<void> };

/** Starts a live server in this process (tests, benchmarks). */
export async function startLiveServer(env: Record<string, string | undefined>): Promise<LiveServer> {
  const svc = await startService(liveService, { env });
  return Object.assign(svc, svc.result, { registry: svc.ctx.registry });
}

/** What the WebSocket library itself accepts: 16× the protocol's limit, at least 256 KiB. */
export const transportMessageCap = (maxMessageBytes: number): number => Math.max(16 * maxMessageBytes, 256 * 1024);
