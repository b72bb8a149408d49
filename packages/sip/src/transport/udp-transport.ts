// RFC 3261 §18 over UDP: one datagram, one message.
import { createSocket } from 'node:dgram';
import { isIP } from 'node:net';
import type { DatagramBinding, SocketSettings } from './binding.ts';
import type { ListeningPoint } from './types.ts';

const UDP_BUFFER_BYTES = 4 * 1024 * 1024;

export interface UdpListenOptions {
  address: string;
  port: number;
  advertisedHost: string;
}

export function listenUdp(
  options: UdpListenOptions,
  settings: SocketSettings,
): Promise<DatagramBinding> {
  // A burst arriving while the event loop is busy (a GC pause) waits in the kernel's
  // receive buffer; the system default (~200 KB, about 90 datagrams on loopback) drops
  // requests after a few milliseconds, so ask for more. Linux caps it at net.core.rmem_max.
  const socket = createSocket({
    type: isIP(options.address) === 6 ? 'udp6' : 'udp4',
    recvBufferSize: UDP_BUFFER_BYTES,
    sendBufferSize: UDP_BUFFER_BYTES,
  });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(options.port, options.address, () => {
      socket.off('error', reject);
      const bound = socket.address();
      const listeningPoint: ListeningPoint = {
        protocol: 'UDP',
        address: options.address,
        port: bound.port,
        advertisedHost: options.advertisedHost,
      };
      socket.on('error', (err) => settings.logger.warn({ err: err.message }, 'udp socket error'));
      socket.on('message', (data, rinfo) => {
        settings.sink.onMessage(data, {
          protocol: 'UDP',
          remoteAddress: rinfo.address,
          remotePort: rinfo.port,
          localAddress: options.address,
          localPort: bound.port,
        });
      });
      resolve({
        kind: 'datagram',
        listeningPoint,
        send(data, address, port) {
          return new Promise((ok, fail) => {
            socket.send(data, port, address, (err) =>
              err
                ? fail(err)
                : ok({
                    protocol: 'UDP',
                    remoteAddress: address,
                    remotePort: port,
                    localAddress: options.address,
                    localPort: bound.port,
                  }),
            );
          });
        },
        close() {
          return new Promise((ok) => socket.close(() => ok()));
        },
      });
    });
  });
}
