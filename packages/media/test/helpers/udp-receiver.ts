// A UDP socket standing in for the caller's RTP port: collects what arrives, parsed, and sends
// the caller's own RTP.
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { parseRtp, type ParsedRtp } from '../../src/index.ts';

export class UdpReceiver {
  readonly packets: ParsedRtp[] = [];
  readonly #socket: Socket;
  #waiters: Array<{ count: number; resolve: () => void }> = [];

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('message', (msg) => {
      const packet = parseRtp(msg);
      if (packet) this.packets.push(packet);
      this.#waiters = this.#waiters.filter((w) => {
        if (this.packets.length < w.count) return true;
        w.resolve();
        return false;
      });
    });
  }

  static async open(): Promise<UdpReceiver> {
    const socket = createSocket('udp4');
    socket.bind(0, '127.0.0.1');
    await once(socket, 'listening');
    return new UdpReceiver(socket);
  }

  get port(): number {
    return (this.#socket.address() as AddressInfo).port;
  }

  /** Resolves once `count` packets have arrived in all. */
  received(count: number): Promise<void> {
    if (this.packets.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push({ count, resolve }));
  }

  /** Sends `packets` in order to our own port `port` on loopback, as the caller's phone would. */
  async send(port: number, ...packets: Buffer[]): Promise<void> {
    for (const packet of packets) {
      await new Promise<void>((resolve, reject) =>
        this.#socket.send(packet, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())),
      );
    }
  }

  close(): void {
    this.#socket.close();
  }
}

export const offerTo = (port: number, payloads = '0 8 101') =>
  [
    'v=0',
    'o=- 1 1 IN IP4 127.0.0.1',
    's=-',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=audio ${port} RTP/AVP ${payloads}`,
    'a=rtpmap:101 telephone-event/8000',
    '',
  ].join('\r\n');

/** A range of even ports below the kernel's ephemeral ones, different for each call. */
export function testPortRange(width: number): { portMin: number; portMax: number } {
  const portMin = 21000 + 2 * Math.floor(Math.random() * 5000);
  return { portMin, portMax: portMin + width - 1 };
}
