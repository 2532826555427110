/**
 * The seam between the live protocol (hub, routes) and a WebSocket/HTTP server library. Two
 * implementations: uWebSockets.js (native, the default) and ws (fallback). Both pass one test
 * suite (test/live.test.ts).
 */
export type SendResult = 'ok' | 'backpressure' | 'dropped';

export interface LiveSocket {
  /** Sends one text frame (pre-encoded UTF-8). */
  send(frame: Buffer): SendResult;
  /** Bytes written but not yet taken by the kernel. */
  bufferedAmount(): number;
  /** Runs `fn` with writes batched into as few syscalls as possible. */
  cork(fn: () => void): void;
  /** Closes with a close frame. */
  close(code: number, reason: string): void;
  readonly closed: boolean;
  readonly remoteAddress: string;
  /** native pub/sub (uWS): the transport fans frames of a topic out itself */
  subscribe?(topic: string): void;
  unsubscribe?(topic: string): void;
}

export interface UpgradeRequest {
  headers: Record<string, string>;
  query: URLSearchParams;
}

export type UpgradeDecision = { ok: true } | { ok: false; status: number; body: string };

export interface SocketHandlers {
  /** Synchronous check before the upgrade (Origin). */
  upgrade(req: UpgradeRequest): UpgradeDecision;
  open(sock: LiveSocket, req: UpgradeRequest): void;
  message(sock: LiveSocket, text: string): void;
  drain(sock: LiveSocket): void;
  close(sock: LiveSocket, code: number): void;
}

export interface HttpRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: Buffer;
}

export interface HttpResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export type HttpHandler = (req: HttpRequest) => Promise<HttpResponse> | HttpResponse;

export interface TransportOptions {
  path: string;
  maxPayloadBytes: number;
  maxBodyBytes: number;
  /** uWS drops frames over this per socket; we close clients long before */
  maxBackpressure: number;
}

export interface Transport {
  readonly name: 'uws' | 'ws';
  /** Sends a frame to every socket subscribed to `topic` (native fan-out), when supported. */
  publish?(topic: string, frame: Buffer): void;
  listen(host: string, port: number, ws: SocketHandlers, http: HttpHandler): Promise<number>;
  close(): Promise<void>;
}

export const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  204: 'No Content',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Payload Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};
