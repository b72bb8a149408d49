// A TCP or TLS socket as a Connection: Content-Length framing, CRLF keep-alive pongs,
// idle timeout, and one close report.
import type { Socket } from 'node:net';
import type { Connection, SocketSettings } from './binding.ts';
import { IdleTimer } from './idle-timer.ts';
import { StreamFramer } from './stream-framer.ts';
import type { Flow, TransportProtocol } from './types.ts';

const PONG = Buffer.from('\r\n');

export function wrapStreamSocket(
  socket: Socket,
  protocol: 'TCP' | 'TLS',
  settings: SocketSettings,
): Connection {
  const { sink, logger } = settings;
  const id = sink.nextConnectionId(protocol as TransportProtocol);
  const flow: Flow = {
    protocol,
    remoteAddress: socket.remoteAddress ?? '',
    remotePort: socket.remotePort ?? 0,
    localAddress: socket.localAddress ?? '',
    localPort: socket.localPort ?? 0,
    connectionId: id,
  };
  const framer = new StreamFramer({ maxMessageSize: settings.maxMessageSize });
  let closed = false;

  const connection: Connection = {
    id,
    flow,
    send(data) {
      return new Promise((resolve, reject) => {
        if (closed || socket.destroyed || !socket.writable) {
          reject(new Error(`connection ${id} is closed`));
          return;
        }
        idle.touch();
        socket.write(data, (err) => (err ? reject(err) : resolve()));
      });
    },
    close() {
      if (socket.destroyed) return;
      // Flush what was written (an error response, say) before the socket goes.
      socket.end(() => socket.destroy());
    },
  };

  const idle = new IdleTimer(settings.clock, settings.idleTimeoutMs, () => {
    logger.debug({ connectionId: id }, 'closing idle connection');
    socket.destroy();
  });

  socket.on('data', (chunk: Buffer) => {
    idle.touch();
    for (const out of framer.push(chunk)) {
      switch (out.kind) {
        case 'message':
          sink.onMessage(out.data, flow);
          break;
        case 'ping':
          // RFC 5626 §4.4.1: answer a CRLFCRLF ping with a single CRLF pong.
          if (socket.writable) socket.write(PONG);
          break;
        case 'error':
          logger.warn({ connectionId: id, reason: out.reason }, 'stream framing failed');
          sink.onFramingError(out, connection);
          break;
      }
    }
  });
  socket.on('error', (err) =>
    logger.debug({ connectionId: id, err: err.message }, 'connection error'),
  );
  socket.on('close', () => {
    if (closed) return;
    closed = true;
    idle.stop();
    sink.onConnectionClosed(connection);
  });
  return connection;
}
