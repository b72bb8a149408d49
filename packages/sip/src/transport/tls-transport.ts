// RFC 3261 §18 over TLS (§26.2.1: sips and TLS hop by hop). Framing as for TCP.
import { connect, createServer } from 'node:tls';
import type { SocketSettings, StreamBinding } from './binding.ts';
import { closeServer, listenServer, openedSocket, socketTracker } from './tcp-transport.ts';
import type { ListeningPoint } from './types.ts';

export interface TlsCredentials {
  cert: string | Buffer;
  key: string | Buffer;
}

/** How outgoing TLS (and WSS) connections check the peer. */
export interface TlsClientOptions {
  /** Trusted CA certificates; Node's defaults when absent. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Defaults to true. */
  rejectUnauthorized?: boolean;
}

export interface TlsListenOptions {
  address: string;
  port: number;
  advertisedHost: string;
  tls: TlsCredentials;
  client: TlsClientOptions;
}

export async function listenTls(
  options: TlsListenOptions,
  settings: SocketSettings,
): Promise<StreamBinding> {
  const { sockets, track } = socketTracker('TLS', settings);
  const server = createServer({ cert: options.tls.cert, key: options.tls.key }, (socket) =>
    track(socket),
  );
  server.on('tlsClientError', (err) =>
    settings.logger.debug({ err: err.message }, 'tls handshake failed'),
  );
  server.on('error', (err) => settings.logger.warn({ err: err.message }, 'tls server error'));
  const port = await listenServer(server, options.address, options.port);
  const listeningPoint: ListeningPoint = {
    protocol: 'TLS',
    address: options.address,
    port,
    advertisedHost: options.advertisedHost,
  };
  return {
    kind: 'stream',
    listeningPoint,
    async connect(address, remotePort) {
      const socket = connect({
        host: address,
        port: remotePort,
        ca: options.client.ca,
        rejectUnauthorized: options.client.rejectUnauthorized ?? true,
        // Our own certificate, for peers that ask for mutual TLS.
        cert: options.tls.cert,
        key: options.tls.key,
      });
      await openedSocket(socket, 'secureConnect');
      return track(socket);
    },
    close: () => closeServer(server, sockets),
  };
}
