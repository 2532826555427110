import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
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

class WsSocket implements LiveSocket {
  closed = false;
  private readonly raw: Socket;
  constructor(
    private readonly ws: WebSocket,
    readonly remoteAddress: string,
    private readonly softLimit: number,
  ) {
    this.raw = (ws as unknown as { _socket: Socket })._socket;
  }
  send(frame: Buffer): SendResult {
    if (this.closed) return 'dropped';
    this.ws.send(frame, { binary: false, compress: false });
    return this.ws.bufferedAmount > this.softLimit ? 'backpressure' : 'ok';
  }
  bufferedAmount(): number {
    return this.closed ? 0 : this.ws.bufferedAmount;
  }
  cork(fn: () => void): void {
    if (this.closed) return;
    this.raw.cork();
    try {
      fn();
    } finally {
      this.raw.uncork();
    }
  }
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.ws.close(code, reason);
    // a client that does not read will not answer the close handshake either
    setTimeout(() => this.ws.terminate(), 2000).unref();
  }
  onDrain(fn: () => void): void {
    this.raw.on('drain', fn);
  }
}

/** The fallback transport: node:http + ws. */
export class WsTransport implements Transport {
  readonly name = 'ws' as const;
  private server: Server | undefined;
  private wss: WebSocketServer | undefined;

  constructor(
    private readonly opts: TransportOptions,
    private readonly softLimit: number,
  ) {}

  listen(host: string, port: number, handlers: SocketHandlers, http: HttpHandler): Promise<number> {
    const wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.opts.maxPayloadBytes,
      perMessageDeflate: false,
    });
    this.wss = wss;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > this.opts.maxBodyBytes) {
          res.writeHead(413).end();
          req.destroy();
          return;
        }
        chunks.push(c);
      });
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://x');
        Promise.resolve()
          .then(() =>
            http({
              method: (req.method ?? 'GET').toUpperCase(),
              path: url.pathname,
              query: url.searchParams,
              headers: flatHeaders(req),
              body: Buffer.concat(chunks),
            }),
          )
          .then(
            (r) => {
              res.writeHead(r.status, STATUS_TEXT[r.status], r.headers ?? {});
              res.end(r.body ?? '');
            },
            () => {
              res.writeHead(500, { 'content-type': 'application/json' });
              res.end('{"code":"WS_INTERNAL","message":"internal error"}');
            },
          );
      });
    });
    server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname !== this.opts.path) {
        socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
        return;
      }
      const up: UpgradeRequest = { headers: flatHeaders(req), query: url.searchParams };
      const decision = handlers.upgrade(up);
      if (!decision.ok) {
        socket.end(
          `HTTP/1.1 ${decision.status} ${STATUS_TEXT[decision.status] ?? ''}\r\nconnection: close\r\n` +
            `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(decision.body)}\r\n\r\n${decision.body}`,
        );
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        const sock = new WsSocket(ws, socket.remoteAddress ?? '', this.softLimit);
        sock.onDrain(() => handlers.drain(sock));
        ws.on('message', (data: Buffer, isBinary: boolean) => {
          handlers.message(sock, isBinary ? '' : data.toString('utf8'));
        });
        ws.on('close', (code: number) => {
          sock.closed = true;
          handlers.close(sock, code);
        });
        ws.on('error', () => ws.terminate());
        handlers.open(sock, up);
      });
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve((server.address() as AddressInfo).port);
      });
    });
  }

  async close(): Promise<void> {
    for (const ws of this.wss?.clients ?? []) ws.terminate();
    this.wss?.close();
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}
