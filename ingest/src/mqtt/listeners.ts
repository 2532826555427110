import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer, type IncomingMessage } from 'node:http';
import { type AddressInfo, createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import type { Logger } from '@wattstream/platform';
import type { Aedes } from 'aedes';
import { createWebSocketStream, WebSocketServer } from 'ws';
import { IngestErrorCode } from '../errors.js';
import type { IngestMetrics } from '../metrics.js';
import { guardPacketSize } from './packet-size.js';

export interface ListenerOptions {
  broker: Aedes;
  host: string;
  mqttPort: number;
  wsPort: number;
  tlsPort: number;
  tlsCert: string | undefined;
  tlsKey: string | undefined;
  maxPacketSize: number;
  maxConnections: number;
  metrics: IngestMetrics;
  logger: Logger;
}

export interface Listeners {
  readonly ports: { mqtt: number; ws: number; tls: number | undefined };
  /** Connections open now, authenticated or not. */
  open(): number;
  /** Stops accepting new connections; open ones continue. */
  stopAccepting(): Promise<void>;
  /** Destroys every open connection. */
  destroyAll(): void;
}

type Transport = 'tcp' | 'ws' | 'tls';

const listen = (server: NetServer | HttpServer, port: number, host: string) =>
  new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });

/** Stops listening at once; `close`'s callback would wait for every open connection to end. */
const stopListening = (server: NetServer | HttpServer) => void server.close(() => {});

/**
 * The MQTT listeners: TCP, WebSocket (any path; subprotocol `mqtt` [MQTT-6.0.0-3]) and TLS
 * when a certificate and key are configured. Every connection gets its own packet-size guard and
 * is counted; far beyond the connection limit (twice it) sockets are dropped before CONNECT so
 * that a flood of idle sockets cannot pile up waiting for the CONNECT timeout.
 */
export async function startListeners(o: ListenerOptions): Promise<Listeners> {
  const conns = new Set<Duplex>();
  const hardCap = o.maxConnections * 2 + 10;

  const accept = (conn: Duplex, transport: Transport, req?: IncomingMessage) => {
    if (conns.size >= hardCap) {
      conn.destroy();
      return;
    }
    conns.add(conn);
    o.metrics.connections.inc();
    o.metrics.connectionsTotal.inc({ transport });
    conn.once('close', () => {
      conns.delete(conn);
      o.metrics.connections.dec();
    });
    conn.on('error', () => {}); // aedes reports connection errors; never crash on a late one
    guardPacketSize(conn, o.maxPacketSize, (announced) => {
      o.metrics.oversized.inc();
      const clientId = (conn as Duplex & { client?: { id?: string } }).client?.id;
      o.logger.warn(
        { transport, clientId, announced, max: o.maxPacketSize, code: IngestErrorCode.PacketTooLarge },
        'packet larger than MQTT_MAX_PACKET_SIZE; connection closed',
      );
    });
    o.broker.handle(conn, req);
  };

  const tcp = createNetServer((socket: Socket) => {
    socket.setNoDelay(true);
    accept(socket, 'tcp');
  });
  const mqttPort = await listen(tcp, o.mqttPort, o.host);

  const http = createHttpServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain', upgrade: 'websocket' });
    res.end('MQTT over WebSocket: connect with a WebSocket client (subprotocol mqtt)\n');
  });
  const wss = new WebSocketServer({
    server: http,
    // A message may hold several packets; the guard enforces the packet limit itself.
    maxPayload: o.maxPacketSize * 2 + 1024,
    handleProtocols: (protocols) =>
      protocols.has('mqtt')
        ? 'mqtt'
        : protocols.has('mqttv3.1')
          ? 'mqttv3.1'
          : (protocols.values().next().value ?? false),
  });
  wss.on('connection', (ws, req) => accept(createWebSocketStream(ws), 'ws', req));
  const wsPort = await listen(http, o.wsPort, o.host);

  let tls: TlsServer | undefined;
  let tlsPort: number | undefined;
  if (o.tlsCert && o.tlsKey) {
    tls = createTlsServer({ cert: readFileSync(o.tlsCert), key: readFileSync(o.tlsKey) }, (socket) => {
      socket.setNoDelay(true);
      accept(socket, 'tls');
    });
    tls.on('tlsClientError', (err) => o.logger.debug({ err }, 'TLS handshake failed'));
    tlsPort = await listen(tls, o.tlsPort, o.host);
  }
  o.logger.info({ mqtt: mqttPort, ws: wsPort, tls: tlsPort ?? 'off' }, 'MQTT listeners open');

  return {
    ports: { mqtt: mqttPort, ws: wsPort, tls: tlsPort },
    open: () => conns.size,
    stopAccepting: async () => {
      wss.close();
      stopListening(tcp);
      stopListening(http);
      if (tls) stopListening(tls);
    },
    destroyAll: () => {
      for (const c of conns) c.destroy();
    },
  };
}
