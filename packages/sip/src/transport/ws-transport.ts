// RFC 7118: SIP over WebSocket (WS) and secure WebSocket (WSS). The `sip` subprotocol is
// required (§4.1) and each frame carries exactly one SIP message (§5.2), so no framing.
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { isUtf8 } from 'node:buffer';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { Connection, SocketSettings, StreamBinding } from './binding.ts';
import { IdleTimer } from './idle-timer.ts';
import type { TlsClientOptions, TlsCredentials } from './tls-transport.ts';
import { listenServer } from './tcp-transport.ts';
import type { Flow, ListeningPoint } from './types.ts';

export const SIP_SUBPROTOCOL = 'sip';

export interface WsListenOptions {
  protocol: 'WS' | 'WSS';
  address: string;
  port: number;
  advertisedHost: string;
  /** Required for WSS. */
  tls?: TlsCredentials;
  client: TlsClientOptions;
}

function offersSip(header: string | undefined): boolean {
  return (header ?? '')
    .split(',')
    .map((p) => p.trim().toLowerCase())
    .includes(SIP_SUBPROTOCOL);
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function wrapWebSocket(
  ws: WebSocket,
  flowBase: Omit<Flow, 'connectionId'>,
  settings: SocketSettings,
): Connection {
  const { sink, logger } = settings;
  const id = sink.nextConnectionId(flowBase.protocol);
  const flow: Flow = { ...flowBase, connectionId: id };
  let closed = false;
  const idle = new IdleTimer(settings.clock, settings.idleTimeoutMs, () => {
    logger.debug({ connectionId: id }, 'closing idle connection');
    ws.terminate();
  });
  const connection: Connection = {
    id,
    flow,
    send(data) {
      return new Promise((resolve, reject) => {
        if (closed || ws.readyState !== WebSocket.OPEN) {
          reject(new Error(`connection ${id} is closed`));
          return;
        }
        idle.touch();
        // RFC 7118 §5.2: text frames for UTF-8 messages, binary frames otherwise.
        ws.send(data, { binary: !isUtf8(data) }, (err) => (err ? reject(err) : resolve()));
      });
    },
    close() {
      ws.close(1000);
    },
  };
  ws.on('message', (raw) => {
    idle.touch();
    const data = toBuffer(raw);
    if (data.length > settings.maxMessageSize) {
      logger.warn({ connectionId: id, size: data.length }, 'websocket message too large');
      ws.close(1009);
      return;
    }
    // Whitespace-only frames are keep-alives some clients send; they are not messages.
    if (data.toString('latin1').trim() === '') return;
    sink.onMessage(data, flow);
  });
  ws.on('error', (err) => logger.debug({ connectionId: id, err: err.message }, 'websocket error'));
  ws.on('close', () => {
    if (closed) return;
    closed = true;
    idle.stop();
    sink.onConnectionClosed(connection);
  });
  return connection;
}

export async function listenWs(
  options: WsListenOptions,
  settings: SocketSettings,
): Promise<StreamBinding> {
  const { protocol } = options;
  let server: Server;
  if (protocol === 'WSS') {
    if (!options.tls) throw new Error('WSS needs a certificate and key');
    server = createHttpsServer({ cert: options.tls.cert, key: options.tls.key });
  } else {
    server = createHttpServer();
  }
  server.on('request', (_req, res) => {
    res.writeHead(426, { Upgrade: 'websocket' }).end();
  });
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: settings.maxMessageSize,
    handleProtocols: (protocols) => (protocols.has(SIP_SUBPROTOCOL) ? SIP_SUBPROTOCOL : false),
  });
  const sockets = new Set<WebSocket>();
  const track = (ws: WebSocket, flow: Omit<Flow, 'connectionId'>): Connection => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    const connection = wrapWebSocket(ws, flow, settings);
    settings.sink.onConnectionOpened(connection);
    return connection;
  };
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // RFC 7118 §4.1: a handshake that does not offer `sip` is refused.
    if (!offersSip(req.headers['sec-websocket-protocol'])) {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      track(ws, {
        protocol,
        remoteAddress: req.socket.remoteAddress ?? '',
        remotePort: req.socket.remotePort ?? 0,
        localAddress: req.socket.localAddress ?? '',
        localPort: req.socket.localPort ?? 0,
      });
    });
  });
  server.on('error', (err) => settings.logger.warn({ err: err.message }, 'websocket server error'));
  const port = await listenServer(server, options.address, options.port);
  const listeningPoint: ListeningPoint = {
    protocol,
    address: options.address,
    port,
    advertisedHost: options.advertisedHost,
  };
  return {
    kind: 'stream',
    listeningPoint,
    connect(address, remotePort) {
      const scheme = protocol === 'WSS' ? 'wss' : 'ws';
      const host = address.includes(':') ? `[${address}]` : address;
      const ws = new WebSocket(`${scheme}://${host}:${remotePort}`, SIP_SUBPROTOCOL, {
        ca: options.client.ca,
        rejectUnauthorized: options.client.rejectUnauthorized ?? true,
        maxPayload: settings.maxMessageSize,
      });
      return new Promise((resolve, reject) => {
        ws.once('error', reject);
        ws.once('open', () => {
          ws.off('error', reject);
          if (ws.protocol !== SIP_SUBPROTOCOL) {
            ws.terminate();
            reject(new Error('peer did not accept the sip subprotocol'));
            return;
          }
          // ws keeps its socket private; its address is what the flow needs.
          const raw = (ws as unknown as { _socket?: { localAddress?: string; localPort?: number } })
            ._socket;
          resolve(
            track(ws, {
              protocol,
              remoteAddress: address,
              remotePort,
              localAddress: raw?.localAddress ?? '',
              localPort: raw?.localPort ?? 0,
            }),
          );
        });
      });
    },
    async close() {
      for (const ws of sockets) ws.terminate();
      wss.close();
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
