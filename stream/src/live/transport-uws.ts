import type * as Uws from 'uWebSockets.js';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  type HttpHandler,
  type LiveSocket,
  type SendResult,
  type SocketHandlers,
  STATUS_TEXT,
  type Transport,
  type TransportOptions,
  type UpgradeRequest,
} from './transport.js';

type UwsModule = typeof Uws;

/**
 * Loads the uWebSockets.js native binary itself. The npm package silently falls back to a slow
 * emulation on `ws` when the binary does not load (or UWS_USE_FALLBACK is set); loading the
 * `.node` file directly and checking that `App` is native code makes "uWS" mean uWS.
 */
export function loadNativeUws(): { ok: true; uws: UwsModule; binary: string } | { ok: false; reason: string } {
  const require = createRequire(import.meta.url);
  let pkgDir: string;
  try {
    pkgDir = dirname(require.resolve('uWebSockets.js/package.json'));
  } catch (err) {
    return { ok: false, reason: `uWebSockets.js is not installed: ${(err as Error).message}` };
  }
  const binary = join(pkgDir, 'binaries', `uws_${process.platform}_${process.arch}_${process.versions.modules}.node`);
  try {
    const uws = require(binary) as UwsModule;
    if (typeof uws.App !== 'function' || !/\[native code\]/.test(Function.prototype.toString.call(uws.App))) {
      return { ok: false, reason: `${binary} did not provide a native App()` };
    }
    return { ok: true, uws, binary };
  } catch (err) {
    return {
      ok: false,
      reason: `native binary for ${process.platform}-${process.arch}, Node ABI ${process.versions.modules} did not load: ${(err as Error).message.split('\n')[0]}`,
    };
  }
}

interface UserData {
  req: UpgradeRequest;
  sock?: UwsSocket;
}

class UwsSocket implements LiveSocket {
  closed = false;
  constructor(
    private readonly ws: Uws.WebSocket<UserData>,
    readonly remoteAddress: string,
  ) {}
  send(frame: Buffer): SendResult {
    if (this.closed) return 'dropped';
    const r = this.ws.send(frame, false, false);
    return r === 1 ? 'ok' : r === 0 ? 'backpressure' : 'dropped';
  }
  bufferedAmount(): number {
    return this.closed ? 0 : this.ws.getBufferedAmount();
  }
  cork(fn: () => void): void {
    if (this.closed) return;
    this.ws.cork(fn);
  }
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.ws.end(code, reason);
  }
  subscribe(topic: string): void {
    if (!this.closed) this.ws.subscribe(topic);
  }
  unsubscribe(topic: string): void {
    if (!this.closed) this.ws.unsubscribe(topic);
  }
}

export class UwsTransport implements Transport {
  readonly name = 'uws' as const;
  private listenSocket: Uws.us_listen_socket | undefined;
  private app: Uws.TemplatedApp | undefined;
  private readonly sockets = new Set<Uws.WebSocket<UserData>>();

  constructor(
    private readonly uws: UwsModule,
    private readonly opts: TransportOptions,
  ) {}

  listen(host: string, port: number, handlers: SocketHandlers, http: HttpHandler): Promise<number> {
    const { uws } = this;
    const app = uws.App();
    this.app = app;
    app.ws<UserData>(this.opts.path, {
      compression: uws.DISABLED,
      maxPayloadLength: this.opts.maxPayloadBytes,
      maxBackpressure: this.opts.maxBackpressure,
      idleTimeout: 120,
      sendPingsAutomatically: true,
      upgrade: (res, req, context) => {
        const headers: Record<string, string> = {};
        req.forEach((k, v) => {
          headers[k] = v;
        });
        const up: UpgradeRequest = { headers, query: new URLSearchParams(req.getQuery() ?? '') };
        const decision = handlers.upgrade(up);
        if (!decision.ok) {
          res.writeStatus(`${decision.status} ${STATUS_TEXT[decision.status] ?? ''}`);
          res.writeHeader('content-type', 'application/json');
          res.end(decision.body);
          return;
        }
        res.upgrade<UserData>(
          { req: up },
          headers['sec-websocket-key'] ?? '',
          headers['sec-websocket-protocol'] ?? '',
          headers['sec-websocket-extensions'] ?? '',
          context,
        );
      },
      open: (ws) => {
        this.sockets.add(ws);
        const remote = Buffer.from(ws.getRemoteAddressAsText()).toString();
        const sock = new UwsSocket(ws, remote);
        const data = ws.getUserData();
        data.sock = sock;
        handlers.open(sock, data.req);
      },
      message: (ws, message) => {
        const sock = ws.getUserData().sock;
        if (sock) handlers.message(sock, Buffer.from(message).toString('utf8'));
      },
      drain: (ws) => {
        const sock = ws.getUserData().sock;
        if (sock) handlers.drain(sock);
      },
      close: (ws, code) => {
        this.sockets.delete(ws);
        const sock = ws.getUserData().sock;
        if (sock) {
          sock.closed = true;
          handlers.close(sock, code);
        }
      },
    });
    app.any('/*', (res, req) => {
      let aborted = false;
      res.onAborted(() => {
        aborted = true;
      });
      const headers: Record<string, string> = {};
      req.forEach((k, v) => {
        headers[k] = v;
      });
      const method = req.getMethod().toUpperCase();
      const path = req.getUrl();
      const query = new URLSearchParams(req.getQuery() ?? '');
      const chunks: Buffer[] = [];
      let size = 0;
      const respond = (status: number, body: string | Buffer, hdrs: Record<string, string> = {}) => {
        if (aborted) return;
        res.cork(() => {
          res.writeStatus(`${status} ${STATUS_TEXT[status] ?? ''}`);
          for (const [k, v] of Object.entries(hdrs)) res.writeHeader(k, v);
          res.end(body);
        });
      };
      const handle = (body: Buffer) =>
        Promise.resolve()
          .then(() => http({ method, path, query, headers, body }))
          .then(
            (r) => respond(r.status, r.body ?? '', r.headers),
            () =>
              respond(500, '{"code":"WS_INTERNAL","message":"internal error"}', { 'content-type': 'application/json' }),
          );
      if (method === 'GET' || method === 'HEAD' || method === 'DELETE' || method === 'OPTIONS') {
        void handle(Buffer.alloc(0));
        return;
      }
      res.onData((ab, isLast) => {
        if (aborted) return;
        size += ab.byteLength;
        if (size > this.opts.maxBodyBytes) {
          aborted = true;
          res.cork(() => res.writeStatus('413 Payload Too Large').end());
          return;
        }
        chunks.push(Buffer.from(Buffer.from(ab)));
        if (isLast) void handle(Buffer.concat(chunks));
      });
    });
    return new Promise((resolve, reject) => {
      app.listen(host, port, (token) => {
        if (!token) {
          reject(new Error(`uWebSockets.js could not listen on ${host}:${port}`));
          return;
        }
        this.listenSocket = token;
        resolve(uws.us_socket_local_port(token));
      });
    });
  }

  /** uWS pub/sub: buffered per subscriber and written corked at the end of the loop iteration. */
  publish(topic: string, frame: Buffer): void {
    this.app?.publish(topic, frame, false, false);
  }

  async close(): Promise<void> {
    if (this.listenSocket) this.uws.us_listen_socket_close(this.listenSocket);
    this.listenSocket = undefined;
    for (const ws of [...this.sockets]) ws.close();
    this.sockets.clear();
  }
}
