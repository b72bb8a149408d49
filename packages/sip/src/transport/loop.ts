// An in-memory network for testing the layers above the transport (after pjsip's loop
// transport). Endpoints exchange serialized bytes that go through the same parse, Via
// stamping and response routing as real sockets; a rule per packet can drop it, delay it
// on the injected clock, or make the send fail.
import { systemClock, type Clock } from '../core/clock.ts';
import { noopLogger, type Logger } from '../core/logger.ts';
import type { Connection } from './binding.ts';
import { TransportCore, TransportError } from './transport-core.ts';
import { DEFAULT_MAX_MESSAGE_SIZE } from './transport-layer.ts';
import type { Flow, ListeningPoint, TransportProtocol, TransportUser } from './types.ts';

export interface LoopPacket {
  protocol: TransportProtocol;
  from: { address: string; port: number };
  to: { address: string; port: number };
  data: Buffer;
}

/** What happens to a packet: delivered now (undefined), lost, delayed, or refused at send. */
export type LoopFate = undefined | 'drop' | 'fail' | { delayMs: number };

export interface LoopNetworkOptions {
  clock?: Clock;
  logger?: Logger;
}

export interface LoopEndpointOptions {
  address: string;
  /** Defaults to 5060. */
  port?: number;
  /** Defaults to ['UDP']; any other protocol gets in-memory connections. */
  protocols?: TransportProtocol[];
  user: TransportUser;
}

interface Pair {
  closed: boolean;
  sides: [
    { core: TransportCore; connection: Connection },
    { core: TransportCore; connection: Connection },
  ];
}

function stationKey(protocol: TransportProtocol, address: string, port: number): string {
  return `${protocol}|${address}|${port}`;
}

export class LoopNetwork {
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #stations = new Map<string, TransportCore>();
  readonly #pairs = new Set<Pair>();
  #rule: (packet: LoopPacket) => LoopFate = () => undefined;
  /** Every packet handed to the network, whatever its fate. */
  readonly sent: LoopPacket[] = [];

  constructor(options: LoopNetworkOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? noopLogger;
  }

  /** Sets the rule deciding each packet's fate from now on. */
  setRule(rule: (packet: LoopPacket) => LoopFate): void {
    this.#rule = rule;
  }

  endpoint(options: LoopEndpointOptions): TransportCore {
    const port = options.port ?? 5060;
    const core = new TransportCore({
      user: options.user,
      logger: this.#logger,
      maxMessageSize: DEFAULT_MAX_MESSAGE_SIZE,
    });
    for (const protocol of options.protocols ?? ['UDP']) {
      const listeningPoint: ListeningPoint = {
        protocol,
        address: options.address,
        port,
        advertisedHost: options.address,
      };
      const key = stationKey(protocol, options.address, port);
      if (this.#stations.has(key)) throw new Error(`loop address in use: ${key}`);
      this.#stations.set(key, core);
      if (protocol === 'UDP') {
        core.addBinding({
          kind: 'datagram',
          listeningPoint,
          send: async (data, address, toPort) =>
            this.#datagram(listeningPoint, data, address, toPort),
          close: async () => void this.#stations.delete(key),
        });
      } else {
        core.addBinding({
          kind: 'stream',
          listeningPoint,
          connect: async (address, toPort) => this.#connect(core, listeningPoint, address, toPort),
          close: async () => {
            this.#stations.delete(key);
            for (const pair of this.#pairs)
              if (pair.sides.some((s) => s.core === core)) this.#disconnect(pair);
          },
        });
      }
    }
    return core;
  }

  /** Ends an in-memory connection as if the peer hung up; both sides hear of it. */
  disconnect(endpoint: TransportCore, connectionId: string): void {
    for (const pair of this.#pairs) {
      if (pair.sides.some((s) => s.core === endpoint && s.connection.id === connectionId))
        this.#disconnect(pair);
    }
  }

  #send(packet: LoopPacket, deliver: () => void): void {
    this.sent.push(packet);
    const fate = this.#rule(packet);
    if (fate === 'fail')
      throw new TransportError(`loop: send to ${packet.to.address}:${packet.to.port} failed`);
    if (fate === 'drop') return;
    if (fate === undefined) {
      // Never synchronously: a real network never answers inside the send call.
      queueMicrotask(deliver);
      return;
    }
    this.#clock.setTimeout(deliver, fate.delayMs);
  }

  #datagram(lp: ListeningPoint, data: Buffer, address: string, port: number): Flow {
    const copy = Buffer.from(data);
    const packet: LoopPacket = {
      protocol: lp.protocol,
      from: { address: lp.address, port: lp.port },
      to: { address, port },
      data: copy,
    };
    this.#send(packet, () => {
      // A datagram to nobody is lost, as on a real network.
      this.#stations.get(stationKey(lp.protocol, address, port))?.onMessage(copy, {
        protocol: lp.protocol,
        remoteAddress: lp.address,
        remotePort: lp.port,
        localAddress: address,
        localPort: port,
      });
    });
    return {
      protocol: lp.protocol,
      remoteAddress: address,
      remotePort: port,
      localAddress: lp.address,
      localPort: lp.port,
    };
  }

  #connect(core: TransportCore, lp: ListeningPoint, address: string, port: number): Connection {
    const peer = this.#stations.get(stationKey(lp.protocol, address, port));
    if (!peer) throw new TransportError(`loop: connection to ${address}:${port} refused`);
    const here = { address: lp.address, port: lp.port };
    const there = { address, port };
    const pair = { closed: false } as Pair;
    const side = (
      owner: TransportCore,
      local: typeof here,
      remote: typeof here,
      other: () => { core: TransportCore; connection: Connection },
    ): { core: TransportCore; connection: Connection } => {
      const id = owner.nextConnectionId(lp.protocol);
      const flow: Flow = {
        protocol: lp.protocol,
        remoteAddress: remote.address,
        remotePort: remote.port,
        localAddress: local.address,
        localPort: local.port,
        connectionId: id,
      };
      const connection: Connection = {
        id,
        flow,
        send: async (data) => {
          if (pair.closed) throw new TransportError(`loop: connection ${id} is closed`);
          const copy = Buffer.from(data);
          this.#send({ protocol: lp.protocol, from: local, to: remote, data: copy }, () => {
            const o = other();
            if (!pair.closed) o.core.onMessage(copy, o.connection.flow);
          });
        },
        close: () => this.#disconnect(pair),
      };
      return { core: owner, connection };
    };
    const a = side(core, here, there, () => pair.sides[1]);
    const b = side(peer, there, here, () => pair.sides[0]);
    pair.sides = [a, b];
    this.#pairs.add(pair);
    core.onConnectionOpened(a.connection);
    peer.onConnectionOpened(b.connection);
    return a.connection;
  }

  #disconnect(pair: Pair): void {
    if (pair.closed) return;
    pair.closed = true;
    this.#pairs.delete(pair);
    queueMicrotask(() => {
      for (const s of pair.sides) s.core.onConnectionClosed(s.connection);
    });
  }
}
