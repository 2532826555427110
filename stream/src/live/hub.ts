import {
  compile,
  type GroupUpdated,
  LIVE_CLIENT_MESSAGE_TYPES,
  LIVE_CLOSE,
  LiveClientMessage,
  LiveErrorCode,
  parseLiveChannel,
} from '@wattstream/contracts';
import { AuthErrorCode, isWattstreamError, type Logger, type TokenKeys } from '@wattstream/platform';
import { type UserClaims, verifyUserToken } from '../token.js';
import type { WatchAccess } from './access.js';
import { Channel } from './channel.js';
import { frames } from './frames.js';
import type { LiveSocket, UpgradeRequest } from './transport.js';

const clientMessage = compile(LiveClientMessage);

export interface HubOptions {
  authTimeoutMs: number;
  maxSubscriptions: number;
  historyMs: number;
  /** above this many unread bytes a client only gets the latest frame per channel */
  softBufferBytes: number;
  /** over this many unread bytes a client is disconnected */
  maxBufferBytes: number;
  /** a client that stays above the soft limit this long is disconnected */
  slowClientTimeoutMs: number;
  /** the largest client message, bytes: a larger one closes the connection with 1009 */
  maxMessageBytes: number;
}

export interface GroupDirectory {
  get(groupId: string): GroupUpdated | undefined;
}

export interface HubStats {
  connections: number;
  /** connections moved off the native fan-out because they fell behind */
  demotions: number;
  framesSent: number;
  framesCoalesced: number;
  slowDisconnects: number;
  /** connections refused at authentication, by reason (see AuthFailureReason) */
  authFailures: Record<AuthFailureReason, number>;
  /** connections closed for sending too many bad messages */
  errorLimitCloses: number;
}

/** Why a connection failed to authenticate: the `reason` label of wattstream_live_auth_failures. */
export type AuthFailureReason = 'timeout' | 'no_token' | 'invalid' | 'expired' | 'subject_changed';

/**
 * Error frames a connection may cause per ERROR_WINDOW_MS (bad channel names, forbidden or unknown
 * channels, unknown message types). A client past it is broken or probing: it is closed with 1008
 * instead of being answered without end.
 */
export const MAX_ERRORS_PER_WINDOW = 20;
export const ERROR_WINDOW_MS = 10_000;

const KNOWN_TYPES: ReadonlySet<unknown> = new Set(LIVE_CLIENT_MESSAGE_TYPES);

/**
 * Messages a client may send while its token is still being verified; they are handled in order once
 * it is. More is a client that does not wait for its replies: it is told so and closed, never
 * silently trimmed.
 */
export const MAX_MESSAGES_DURING_AUTH = 32;

/** One client connection. */
export class Conn {
  claims: UserClaims | null = null;
  readonly subs = new Set<Channel>();
  /** channel name the client asked for → the channel it gets (a group view, see `Hub.resolve`) */
  readonly views = new Map<string, Channel>();
  /** ordered frames that must not be dropped (subscribed, replays, errors) */
  readonly queue: Buffer[] = [];
  queuedBytes = 0;
  /** latest-wins: one pending frame per channel */
  readonly pending = new Map<Channel, Buffer>();
  /** messages that arrived while a token was being verified (at most MAX_MESSAGES_DURING_AUTH) */
  early: string[] | null = null;
  authTimer: NodeJS.Timeout | undefined;
  expiryTimer: NodeJS.Timeout | undefined;
  slowSince = 0;
  closing = false;
  /** frames reach this connection through the transport's native pub/sub */
  native = false;
  /** error frames sent in the current window, and when that window started */
  errors = 0;
  errorWindowStart = 0;
  constructor(readonly sock: LiveSocket) {}
}

const MAX_TIMER_MS = 2_147_483_647;

/**
 * The live protocol, independent of the WebSocket library: authentication, authorization,
 * subscriptions, fan-out with bounded per-client buffers, `since` replays.
 *
 * Fan-out: a frame is encoded once per update. A client that keeps up gets every frame in order
 * (uWS: the transport's native pub/sub; ws: an ordered queue bounded by the soft limit); `flush()`
 * writes each connection's frames corked, in one syscall. A client that falls behind (unread
 * bytes over the soft limit) keeps at most one pending frame per channel — a newer one replaces
 * it: stats and leaderboards are snapshots, so the latest wins — and is skipped until it drains,
 * so a stalled client never holds up the loop; over the hard limit, or slow for too long, it is
 * disconnected (4408).
 */
export class Hub {
  readonly channels = new Map<string, Channel>();
  readonly conns = new Set<Conn>();
  /**
   * Per-viewer group visibility: groupId → view channel → the members it shows. A viewer who may
   * not watch every member of a group follows the view of the members they may watch; viewers
   * with the same visible set share one view, so its leaderboard is serialised once for all.
   */
  readonly groupViews = new Map<string, Map<string, ReadonlySet<string>>>();
  /** A view was created: its group's leaderboard should be published for it soon. */
  onViewCreated: ((groupId: string) => void) | undefined;
  private readonly dirty = new Set<Conn>();
  private flushScheduled = false;
  readonly stats: HubStats = {
    connections: 0,
    demotions: 0,
    framesSent: 0,
    framesCoalesced: 0,
    slowDisconnects: 0,
    authFailures: { timeout: 0, no_token: 0, invalid: 0, expired: 0, subject_changed: 0 },
    errorLimitCloses: 0,
  };
  private readonly slowCheck: NodeJS.Timeout;
  private readonly sweeper: NodeJS.Timeout;
  private nativePublish: ((topic: string, frame: Buffer) => void) | undefined;
  /** native fan-out waiting for the next flush: channel names and frames, in publish order */
  private readonly nativeNames: string[] = [];
  private readonly nativeFrames: Buffer[] = [];

  constructor(
    private readonly opts: HubOptions,
    private readonly keys: TokenKeys,
    private readonly groups: GroupDirectory,
    private readonly access: WatchAccess,
    private readonly logger: Logger,
  ) {
    this.slowCheck = setInterval(() => this.checkSlow(), 250);
    this.slowCheck.unref();
    this.sweeper = setInterval(() => this.sweep(Date.now()), 10_000);
    this.sweeper.unref();
  }

  /**
   * Bounds memory to what is live: history beyond the window is dropped, and a channel nobody
   * follows whose latest frame is older than `idleChannelMs` is forgotten.
   */
  sweep(now: number, idleChannelMs = 15 * 60_000): void {
    for (const [name, ch] of this.channels) {
      ch.expire(now);
      if (ch.subs.size === 0 && ch.history.length === 0 && ch.latestAt < now - idleChannelMs)
        this.channels.delete(name);
    }
  }

  /**
   * With native pub/sub (uWS) healthy clients get frames from the transport's own fan-out; a
   * client above the soft limit is moved to the JS path (latest wins) until it has drained.
   */
  useNativePublish(publish: (topic: string, frame: Buffer) => void): void {
    this.nativePublish = publish;
  }

  channel(name: string, label: string = name): Channel {
    let ch = this.channels.get(name);
    if (ch === undefined) {
      ch = new Channel(name, this.opts.historyMs, 2000, label);
      this.channels.set(name, ch);
    }
    return ch;
  }

  // ── connection lifecycle ───────────────────────────────────────────────────────────────────

  open(sock: LiveSocket, req: UpgradeRequest): Conn {
    const conn = new Conn(sock);
    conn.native = this.nativePublish !== undefined && sock.subscribe !== undefined;
    this.conns.add(conn);
    this.stats.connections = this.conns.size;
    const token = req.query.get('access_token');
    if (token) {
      conn.early = [];
      void this.authenticate(conn, token).then(() => this.release(conn));
    } else {
      conn.authTimer = setTimeout(() => {
        this.stats.authFailures.timeout++;
        this.fail(conn, LiveErrorCode.AuthRequired, 'authenticate within the time allowed', LIVE_CLOSE.unauthorized);
      }, this.opts.authTimeoutMs);
    }
    return conn;
  }

  private release(conn: Conn): void {
    const early = conn.early ?? [];
    conn.early = null;
    for (const m of early) this.message(conn, m);
  }

  close(conn: Conn): void {
    clearTimeout(conn.authTimer);
    clearTimeout(conn.expiryTimer);
    for (const ch of conn.subs) {
      ch.subs.delete(conn);
      ch.jsSubs.delete(conn);
      this.releaseView(ch);
    }
    conn.subs.clear();
    conn.views.clear();
    conn.pending.clear();
    conn.queue.length = 0;
    this.dirty.delete(conn);
    this.conns.delete(conn);
    this.stats.connections = this.conns.size;
  }

  drain(conn: Conn): void {
    if (conn.pending.size > 0 || conn.queue.length > 0) {
      this.dirty.add(conn);
      this.scheduleFlush();
    } else {
      this.promote(conn);
    }
  }

  message(conn: Conn, text: string): void {
    if (conn.closing) return;
    // characters ≤ bytes ≤ 3 × characters: count the bytes only when it can matter
    if (text.length * 3 > this.opts.maxMessageBytes && Buffer.byteLength(text) > this.opts.maxMessageBytes) {
      this.fail(
        conn,
        LiveErrorCode.MessageTooBig,
        `messages are at most ${this.opts.maxMessageBytes} bytes`,
        LIVE_CLOSE.messageTooBig,
      );
      return;
    }
    if (conn.early !== null) {
      if (conn.early.length < MAX_MESSAGES_DURING_AUTH) conn.early.push(text);
      else
        this.fail(
          conn,
          LiveErrorCode.BadMessage,
          `more than ${MAX_MESSAGES_DURING_AUTH} messages arrived while the token was being checked; wait for the "subscribed" replies before sending more`,
          LIVE_CLOSE.badMessage,
        );
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      this.fail(conn, LiveErrorCode.BadMessage, 'messages are JSON objects with a "type"', LIVE_CLOSE.badMessage);
      return;
    }
    const type = (parsed as { type?: unknown } | null)?.type;
    if (typeof type === 'string' && !KNOWN_TYPES.has(type)) {
      // name the type: the union's first error ("missing token") would mislead
      const why = `unknown message type ${JSON.stringify(type.slice(0, 64))}; a client sends ${LIVE_CLIENT_MESSAGE_TYPES.join(', ')}`;
      if (conn.claims) this.error(conn, LiveErrorCode.UnknownType, why);
      else this.fail(conn, LiveErrorCode.UnknownType, why, LIVE_CLOSE.badMessage);
      return;
    }
    const r = clientMessage.validate(parsed);
    if (!r.ok) {
      // a bad channel name is the client's mistake on one request, not a reason to hang up
      if (conn.claims && (type === 'subscribe' || type === 'unsubscribe')) {
        this.error(conn, LiveErrorCode.BadMessage, r.error.message);
        return;
      }
      this.fail(conn, LiveErrorCode.BadMessage, r.error.message, LIVE_CLOSE.badMessage);
      return;
    }
    const msg = r.value;
    if (msg.type === 'auth') {
      // hold what follows until the token is checked
      conn.early = [];
      void this.authenticate(conn, msg.token).then(() => this.release(conn));
      return;
    }
    if (conn.claims === null) {
      this.stats.authFailures.no_token++;
      this.fail(conn, LiveErrorCode.AuthRequired, 'send {"type":"auth","token":…} first', LIVE_CLOSE.unauthorized);
      return;
    }
    if (msg.type === 'subscribe') this.subscribe(conn, msg.channel, msg.since);
    else this.unsubscribe(conn, msg.channel);
  }

  private async authenticate(conn: Conn, token: string): Promise<void> {
    let claims: UserClaims;
    try {
      claims = await verifyUserToken(this.keys, token);
    } catch (err) {
      const code = isWattstreamError(err) ? err.code : AuthErrorCode.TokenInvalid;
      this.stats.authFailures[code === AuthErrorCode.TokenExpired ? 'expired' : 'invalid']++;
      this.fail(conn, code, (err as Error).message, LIVE_CLOSE.unauthorized);
      return;
    }
    if (conn.claims !== null && conn.claims.sub !== claims.sub) {
      this.stats.authFailures.subject_changed++;
      this.fail(
        conn,
        LiveErrorCode.SubjectChanged,
        'a renewed token must be for the same user',
        LIVE_CLOSE.unauthorized,
      );
      return;
    }
    clearTimeout(conn.authTimer);
    clearTimeout(conn.expiryTimer);
    conn.claims = claims;
    const ms = claims.exp * 1000 - Date.now();
    conn.expiryTimer = setTimeout(
      () =>
        this.fail(conn, AuthErrorCode.TokenExpired, 'token expired: reconnect with a new one', LIVE_CLOSE.unauthorized),
      Math.max(0, Math.min(ms, MAX_TIMER_MS)),
    );
    // a renewed token may allow less: drop what it no longer covers
    this.recheck(conn);
  }

  // ── subscriptions ───────────────────────────────────────────────────────────────────────────

  allowed(claims: UserClaims, name: string): boolean {
    return this.access.allowed(claims, name, (id) => this.groups.get(id));
  }

  /**
   * Drops the subscriptions a connection may no longer follow (its token was renewed with less, or
   * a permission ended), telling the client; its next frame on them is never sent.
   */
  recheck(conn: Conn): void {
    const claims = conn.claims;
    if (claims === null) return;
    for (const ch of [...conn.subs]) {
      if (this.allowed(claims, ch.label)) {
        // still allowed, but perhaps to see other members of a group: move to the right view
        if (this.resolve(claims, ch.label) !== ch.name) {
          this.unsubscribe(conn, ch.label);
          this.subscribe(conn, ch.label, undefined);
        }
        continue;
      }
      this.unsubscribe(conn, ch.label);
      this.error(conn, LiveErrorCode.Forbidden, `no longer allowed to follow ${ch.label}`, ch.label);
    }
  }

  /**
   * The channel `claims` gets for `name`: `name` itself, except for a group with members the
   * viewer may not watch — then the group's view of the members they may watch (created here).
   */
  private resolve(claims: UserClaims, name: string): string {
    const c = parseLiveChannel(name);
    if (c === null || c.kind !== 'group') return name;
    const g = this.groups.get(c.id);
    if (g === undefined) return name;
    const visible = g.members.filter((m) => this.access.mayWatchAthlete(claims, m));
    if (visible.length === g.members.length) return name;
    // '|' never occurs in an id, so a view's name never collides with a channel's
    const view = `${name}|${[...visible].sort().join(',')}`;
    let views = this.groupViews.get(c.id);
    if (views === undefined) {
      views = new Map();
      this.groupViews.set(c.id, views);
    }
    if (!views.has(view)) {
      views.set(view, new Set(visible));
      this.onViewCreated?.(c.id);
    }
    return view;
  }

  /** Forgets a group view nobody follows any more. */
  private releaseView(ch: Channel): void {
    if (ch.name === ch.label || ch.subs.size > 0) return;
    const c = parseLiveChannel(ch.label);
    if (c === null) return;
    const views = this.groupViews.get(c.id);
    views?.delete(ch.name);
    if (views?.size === 0) this.groupViews.delete(c.id);
    this.channels.delete(ch.name);
  }

  /** `recheck` for every connection: after a permission changed. */
  recheckAll(): void {
    for (const conn of this.conns) this.recheck(conn);
    this.scheduleFlush();
  }

  private subscribe(conn: Conn, name: string, since: number | undefined): void {
    const claims = conn.claims as UserClaims;
    const c = parseLiveChannel(name);
    if (c === null) return;
    if (c.kind === 'group' && this.groups.get(c.id) === undefined) {
      this.error(conn, LiveErrorCode.UnknownGroup, `no group ${c.id}`, name);
      return;
    }
    if (!this.allowed(claims, name)) {
      this.error(conn, LiveErrorCode.Forbidden, `not allowed to follow ${name}`, name);
      return;
    }
    const ch = this.channel(this.resolve(claims, name), name);
    const previous = conn.views.get(name);
    if (previous !== undefined && previous !== ch) this.unsubscribe(conn, name);
    if (!conn.subs.has(ch) && conn.subs.size >= this.opts.maxSubscriptions) {
      this.releaseView(ch);
      this.error(conn, LiveErrorCode.TooManySubscriptions, `at most ${this.opts.maxSubscriptions} channels`, name);
      return;
    }
    const fresh = !conn.subs.has(ch);
    conn.subs.add(ch);
    conn.views.set(name, ch);
    ch.subs.add(conn);
    conn.pending.delete(ch);
    const out: Buffer[] = [];
    if (since === undefined) {
      out.push(frames.subscribed(name, ch.latestRaw, ch.latestSeq));
    } else {
      const replay = ch.since(since, Date.now());
      out.push(
        frames.subscribed(name, ch.latestRaw, ch.latestSeq, { replayed: replay.frames.length, gap: replay.gap }),
        ...replay.frames,
      );
    }
    if (conn.native && conn.queue.length === 0) {
      // written now, so they precede anything the native fan-out sends after the subscription
      const sock = conn.sock;
      sock.cork(() => {
        for (const f of out) sock.send(f);
      });
      this.stats.framesSent += out.length;
      if (fresh) sock.subscribe?.(ch.name);
    } else {
      if (conn.native) this.demote(conn);
      ch.jsSubs.add(conn);
      for (const f of out) this.enqueue(conn, f);
      this.scheduleFlush();
    }
  }

  private unsubscribe(conn: Conn, name: string): void {
    const ch = conn.views.get(name);
    conn.views.delete(name);
    if (ch === undefined || !conn.subs.has(ch)) return;
    conn.subs.delete(ch);
    conn.pending.delete(ch);
    ch.subs.delete(conn);
    ch.jsSubs.delete(conn);
    if (conn.native) conn.sock.unsubscribe?.(ch.name);
    this.releaseView(ch);
  }

  /** Moves a connection off the native fan-out (it is slow): it now gets the latest frame per channel. */
  private demote(conn: Conn): void {
    if (!conn.native) return;
    conn.native = false;
    this.stats.demotions++;
    for (const ch of conn.subs) {
      conn.sock.unsubscribe?.(ch.name);
      ch.jsSubs.add(conn);
    }
  }

  /** Back to the native fan-out once drained and nothing is pending. */
  private promote(conn: Conn): void {
    if (conn.native || this.nativePublish === undefined || conn.sock.subscribe === undefined) return;
    if (conn.closing || conn.pending.size > 0 || conn.queue.length > 0) return;
    if (conn.sock.bufferedAmount() > this.opts.softBufferBytes) return;
    conn.native = true;
    conn.slowSince = 0;
    for (const ch of conn.subs) {
      ch.jsSubs.delete(conn);
      conn.sock.subscribe(ch.name);
    }
  }

  // ── fan-out ─────────────────────────────────────────────────────────────────────────────────

  /**
   * A new state of a channel: recorded for snapshots and replays, offered to every subscriber.
   * Call `flush()` once after a batch of publishes to write them (every caller does, so a
   * scheduled flush per publish would only add an empty one).
   */
  publish(name: string, seq: number, t: number, raw: string, frame: Buffer): void {
    const ch = this.channel(name);
    ch.push(seq, t, raw, frame);
    const nativeSubs = ch.subs.size - ch.jsSubs.size;
    if (nativeSubs > 0 && this.nativePublish !== undefined) {
      this.nativeNames.push(name);
      this.nativeFrames.push(frame);
      this.stats.framesSent += nativeSubs;
    }
    for (const conn of ch.jsSubs) {
      if (conn.slowSince === 0 && conn.pending.size === 0 && conn.queuedBytes < this.opts.softBufferBytes) {
        // a client that keeps up gets every frame, in order
        this.enqueue(conn, frame);
      } else {
        // one that does not gets the latest frame per channel
        if (conn.pending.has(ch)) this.stats.framesCoalesced++;
        conn.pending.set(ch, frame);
        this.dirty.add(conn);
      }
    }
  }

  /**
   * A one-off frame for the current subscribers of `name` (a user's notification): not kept for
   * snapshots or replays, and nobody subscribed means nobody gets it.
   */
  deliver(name: string, frame: Buffer): number {
    const ch = this.channels.get(name);
    if (ch === undefined || ch.subs.size === 0) return 0;
    const nativeSubs = ch.subs.size - ch.jsSubs.size;
    if (nativeSubs > 0 && this.nativePublish !== undefined) {
      this.nativeNames.push(name);
      this.nativeFrames.push(frame);
      this.stats.framesSent += nativeSubs;
    }
    for (const conn of ch.jsSubs) this.enqueue(conn, frame);
    this.flush();
    return ch.subs.size;
  }

  scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  /** Writes what each dirty connection has pending, corked; skips clients above the soft limit. */
  flush(): void {
    if (this.nativeNames.length > 0 && this.nativePublish !== undefined) {
      const publish = this.nativePublish;
      for (let i = 0; i < this.nativeNames.length; i++)
        publish(this.nativeNames[i] as string, this.nativeFrames[i] as Buffer);
      this.nativeNames.length = 0;
      this.nativeFrames.length = 0;
    }
    for (const conn of this.dirty) {
      this.dirty.delete(conn);
      if (conn.closing || conn.sock.closed) continue;
      const buffered = conn.sock.bufferedAmount();
      if (buffered > this.opts.maxBufferBytes || buffered + conn.queuedBytes > this.opts.maxBufferBytes) {
        this.slowDisconnect(conn, 'over the buffer limit');
        continue;
      }
      if (buffered > this.opts.softBufferBytes) {
        if (conn.slowSince === 0) conn.slowSince = Date.now();
        continue; // resumes on drain, with the latest frame per channel
      }
      conn.slowSince = 0;
      const sock = conn.sock;
      let sent = 0;
      sock.cork(() => {
        for (const f of conn.queue) sock.send(f);
        sent += conn.queue.length;
        conn.queue.length = 0;
        conn.queuedBytes = 0;
        for (const [ch, f] of conn.pending) {
          conn.pending.delete(ch);
          sock.send(f);
          sent++;
          if (sock.bufferedAmount() > this.opts.softBufferBytes) break;
        }
      });
      this.stats.framesSent += sent;
      if (conn.pending.size > 0 && conn.slowSince === 0) conn.slowSince = Date.now();
      else if (conn.pending.size === 0) this.promote(conn);
    }
  }

  private enqueue(conn: Conn, frame: Buffer): void {
    conn.queue.push(frame);
    conn.queuedBytes += frame.length;
    this.dirty.add(conn);
  }

  private checkSlow(): void {
    const now = Date.now();
    for (const conn of this.conns) {
      if (conn.closing) continue;
      const buffered = conn.sock.bufferedAmount();
      if (buffered > this.opts.maxBufferBytes) {
        this.slowDisconnect(conn, 'over the buffer limit');
      } else if (buffered > this.opts.softBufferBytes) {
        this.demote(conn);
        if (conn.slowSince === 0) conn.slowSince = now;
        else if (now - conn.slowSince > this.opts.slowClientTimeoutMs) this.slowDisconnect(conn, 'not reading');
      } else if (conn.slowSince !== 0) {
        conn.slowSince = 0;
        this.drain(conn);
      }
    }
  }

  private slowDisconnect(conn: Conn, why: string): void {
    this.stats.slowDisconnects++;
    this.logger.info({ remote: conn.sock.remoteAddress, user: conn.claims?.sub, why }, 'slow client disconnected');
    conn.closing = true;
    conn.sock.close(LIVE_CLOSE.slowClient, LiveErrorCode.SlowClient);
    this.close(conn);
  }

  // ── errors ──────────────────────────────────────────────────────────────────────────────────

  /** Sends an error frame; past MAX_ERRORS_PER_WINDOW in ERROR_WINDOW_MS the connection is closed (1008). */
  error(conn: Conn, code: string, message: string, channel?: string): void {
    if (conn.closing) return;
    const now = Date.now();
    if (now - conn.errorWindowStart >= ERROR_WINDOW_MS) {
      conn.errorWindowStart = now;
      conn.errors = 0;
    }
    if (++conn.errors > MAX_ERRORS_PER_WINDOW) {
      this.stats.errorLimitCloses++;
      this.fail(
        conn,
        LiveErrorCode.TooManyErrors,
        `more than ${MAX_ERRORS_PER_WINDOW} bad requests in ${ERROR_WINDOW_MS / 1000} s`,
        LIVE_CLOSE.policyViolation,
      );
      return;
    }
    this.enqueue(conn, frames.error(code, message, channel));
    this.scheduleFlush();
  }

  /** Sends the frames still queued (replies to earlier messages), an error frame, and closes. */
  fail(conn: Conn, code: string, message: string, closeCode: number): void {
    if (conn.closing || conn.sock.closed) return;
    conn.closing = true;
    const sock = conn.sock;
    sock.cork(() => {
      for (const frame of conn.queue) sock.send(frame);
      sock.send(frames.error(code, message));
    });
    sock.close(closeCode, code);
    this.close(conn);
  }

  shutdown(): void {
    clearInterval(this.slowCheck);
    clearInterval(this.sweeper);
    for (const conn of [...this.conns]) {
      conn.closing = true;
      conn.sock.close(LIVE_CLOSE.goingAway, 'server shutting down');
      this.close(conn);
    }
  }
}
