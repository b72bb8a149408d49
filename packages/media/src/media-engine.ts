// Opens media sessions: answers an offer and binds each session's RTP socket on a free even
// port of the configured range.
import { createSocket, type Socket } from 'node:dgram';
import { isIPv4 } from 'node:net';
import { MediaSession } from './media-session.ts';
import { cryptoRandomInt, monotonicClock, type MediaClock, type RandomInt } from './clock.ts';
import { silentLogger, type Logger } from './logger.ts';
import { negotiate } from './negotiate.ts';
import { buildAnswer, type MediaDirection } from './sdp-answer.ts';

export interface MediaEngineOptions {
  /** Address the RTP sockets bind to, e.g. '0.0.0.0' or '127.0.0.1'. */
  bindAddress: string;
  /** Address put in our SDP (c= and o=); IPv4. */
  advertisedAddress: string;
  portMin: number;
  portMax: number;
  logger?: Logger;
  clock?: MediaClock;
  random?: RandomInt;
}

export interface OpenOptions {
  /** 'sendonly' (default) for announcements; 'sendrecv' to hear the caller (DTMF, recording). */
  direction?: MediaDirection;
}

export class MediaError extends Error {
  override name = 'MediaError';
}

export class MediaEngine {
  readonly #bindAddress: string;
  readonly #advertisedAddress: string;
  /** The even ports of the range: firstPort, firstPort + 2, … (portCount of them). */
  readonly #firstPort: number;
  readonly #portCount: number;
  readonly #range: string;
  readonly #logger: Logger;
  readonly #clock: MediaClock;
  readonly #random: RandomInt;

  constructor(options: MediaEngineOptions) {
    const { bindAddress, advertisedAddress, portMin, portMax } = options;
    if (!isIPv4(bindAddress)) throw new MediaError(`bindAddress ${bindAddress} is not IPv4`);
    if (!isIPv4(advertisedAddress))
      throw new MediaError(`advertisedAddress ${advertisedAddress} is not IPv4`);
    const valid = (p: number) => Number.isInteger(p) && p >= 1 && p <= 65535;
    if (!valid(portMin) || !valid(portMax) || portMin > portMax)
      throw new MediaError(`RTP port range ${portMin}-${portMax} is not a range of UDP ports`);
    this.#bindAddress = bindAddress;
    this.#advertisedAddress = advertisedAddress;
    // RFC 3550 §11: RTP takes an even port (RTCP, which we do not send, the odd one above).
    this.#firstPort = portMin + (portMin % 2);
    this.#portCount = Math.floor((portMax - this.#firstPort) / 2) + 1;
    if (this.#portCount <= 0)
      throw new MediaError(`RTP port range ${portMin}-${portMax} has no even port`);
    this.#range = `${portMin}-${portMax}`;
    this.#logger = options.logger ?? silentLogger;
    this.#clock = options.clock ?? monotonicClock;
    this.#random = options.random ?? cryptoRandomInt;
  }

  /**
   * Answers `offer` with a G.711 stream on a socket of its own: send-only, or two-way with the
   * offer's telephone-event payload type for DTMF. Undefined when the offer has nothing we can
   * play to (the reason is logged at debug level).
   */
  async open(offer: Buffer | string, options: OpenOptions = {}): Promise<MediaSession | undefined> {
    const negotiation = negotiate(offer);
    if (!negotiation.ok) {
      this.#logger.debug({ reason: negotiation.reason }, 'no media session: offer refused');
      return undefined;
    }
    // RFC 3264 §6.1: a recvonly offer is answered sendonly; then DTMF comes by SIP INFO only.
    const direction: MediaDirection =
      options.direction === 'sendrecv' && negotiation.callerSends ? 'sendrecv' : 'sendonly';
    const telephoneEvent = direction === 'sendrecv' ? negotiation.telephoneEvent : undefined;
    const { socket, port } = await this.#bind();
    const answer = buildAnswer({
      sessionId: this.#random(2 ** 47),
      address: this.#advertisedAddress,
      port,
      codec: negotiation.codec,
      payloadType: negotiation.payloadType,
      mediaLines: negotiation.mediaLines,
      audioIndex: negotiation.audioIndex,
      direction,
      telephoneEvent,
    });
    return new MediaSession({
      socket,
      localPort: port,
      answer,
      codec: negotiation.codec,
      payloadType: negotiation.payloadType,
      direction,
      telephoneEvent,
      remote: { address: negotiation.address, port: negotiation.port },
      clock: this.#clock,
      random: this.#random,
      logger: this.#logger,
    });
  }

  // A random starting point keeps several servers (or test runs) on one machine from all
  // trying the same ports; from there we step through the range once, wrapping round.
  async #bind(): Promise<{ socket: Socket; port: number }> {
    const start = this.#random(this.#portCount);
    for (let i = 0; i < this.#portCount; i++) {
      const port = this.#firstPort + ((start + i) % this.#portCount) * 2;
      try {
        return { socket: await bindUdp(this.#bindAddress, port), port };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
      }
    }
    throw new MediaError(`no free even UDP port for RTP in ${this.#range} on ${this.#bindAddress}`);
  }
}

function bindUdp(address: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket({ type: 'udp4', reuseAddr: false });
    const failed = (err: Error) => {
      socket.close();
      reject(err);
    };
    socket.once('error', failed);
    socket.bind({ address, port, exclusive: true }, () => {
      socket.off('error', failed);
      resolve(socket);
    });
  });
}
