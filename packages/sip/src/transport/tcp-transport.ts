// RFC 3261 §18 over TCP: framing by Content-Length (§18.3), connections reused both ways.
import { connect, createServer, type Server, type Socket } from 'node:net';
import type { Connection, SocketSettings, StreamBinding } from './binding.ts';
import { wrapStreamSocket } from './stream-connection.ts';
import type { ListeningPoint } from './types.ts';

export interface TcpListenOptions {
  address: string;
  port: number;
  advertisedHost: string;
}

/** Starts `server` on the address and resolves with the port it got. */
export function listenServer(server: Server, address: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => {
      server.off('error', reject);
      const bound = server.address();
      resolve(typeof bound === 'object' && bound ? bound.port : port);
    });
  });
}

/** Closes a listening server and every socket it accepted. */
export function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  for (const s of sockets) s.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Waits for `event` on a fresh client socket, then wraps it. */
export function openedSocket(socket: Socket, event: 'connect' | 'secureConnect'): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.once(event, () => {
      socket.off('error', reject);
      resolve();
    });
  });
}

/** Wraps each socket of a stream listener (accepted or opened) as a Connection, announces
 * it, and remembers it until it closes so `closeServer` can end them all. */
export function socketTracker(
  protocol: 'TCP' | 'TLS',
  settings: SocketSettings,
): { sockets: Set<Socket>; track: (socket: Socket) => Connection } {
  const sockets = new Set<Socket>();
  const track = (socket: Socket): Connection => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const connection = wrapStreamSocket(socket, protocol, settings);
    settings.sink.onConnectionOpened(connection);
    return connection;
  };
  return { sockets, track };
}

export async function listenTcp(
  options: TcpListenOptions,
  settings: SocketSettings,
): Promise<StreamBinding> {
  const { sockets, track } = socketTracker('TCP', settings);
  const server = createServer((socket) => track(socket));
  server.on('error', (err) => settings.logger.warn({ err: err.message }, 'tcp server error'));
  const port = await listenServer(server, options.address, options.port);
  const listeningPoint: ListeningPoint = {
    protocol: 'TCP',
    address: options.address,
    port,
    advertisedHost: options.advertisedHost,
  };
  return {
    kind: 'stream',
    listeningPoint,
    async connect(address, remotePort) {
      const socket = connect({ host: address, port: remotePort });
      await openedSocket(socket, 'connect');
      return track(socket);
    },
    close: () => closeServer(server, sockets),
  };
}
