// The protocol-independent half of the transport layer (RFC 3261 §18): receives whole
// messages from socket code, parses them, stamps Via, answers what cannot be parsed,
// routes responses (§18.2.2) and keeps the connection table.
import type { Logger } from '../core/logger.ts';
import {
  createResponse,
  createResponseToUnparsed,
  formatRawErrorResponse,
  parseMessage,
  serializeMessage,
} from '../message/index.ts';
import type { ParseError, SipRequest, SipResponse, Via } from '../message/types.ts';
import type {
  Binding,
  Connection,
  DatagramBinding,
  FramingError,
  InboundSink,
  StreamBinding,
} from './binding.ts';
import { defaultPort, isReliable, responseDestination } from './response-destination.ts';
import type {
  Flow,
  ListeningPoint,
  Target,
  TransportLayer,
  TransportProtocol,
  TransportUser,
} from './types.ts';
import { plainAddress, stampVia } from './via-stamp.ts';

export class TransportError extends Error {
  override name = 'TransportError';
}

export interface TransportCoreOptions {
  user: TransportUser;
  logger: Logger;
  maxMessageSize: number;
}

function remoteKey(protocol: TransportProtocol, address: string, port: number): string {
  return `${protocol}|${plainAddress(address)}|${port}`;
}

/** Datagrams of only CR, LF and spaces are NAT keep-alives (RFC 5626 §3.5.1), not messages. */
function isBlank(data: Buffer): boolean {
  for (const byte of data)
    if (byte !== 0x0d && byte !== 0x0a && byte !== 0x20 && byte !== 0x09) return false;
  return true;
}

export class TransportCore implements TransportLayer, InboundSink {
  readonly #user: TransportUser;
  readonly #logger: Logger;
  readonly #maxMessageSize: number;
  readonly #bindings: Binding[] = [];
  readonly #connections = new Map<string, Connection>();
  readonly #byRemote = new Map<string, string>();
  readonly #connecting = new Map<string, Promise<Connection>>();
  #nextId = 0;
  #closed = false;

  constructor(options: TransportCoreOptions) {
    this.#user = options.user;
    this.#logger = options.logger;
    this.#maxMessageSize = options.maxMessageSize;
  }

  addBinding(binding: Binding): void {
    this.#bindings.push(binding);
  }

  get listeningPoints(): readonly ListeningPoint[] {
    return this.#bindings.map((b) => b.listeningPoint);
  }

  /** Open connections, for inspection and tests. */
  get connections(): readonly Flow[] {
    return [...this.#connections.values()].map((c) => c.flow);
  }

  isReliable(protocol: TransportProtocol): boolean {
    return isReliable(protocol);
  }

  // --- outbound -------------------------------------------------------------------------

  async sendRequest(request: SipRequest, target: Target): Promise<Flow> {
    const binding = this.#bindingFor(target.protocol, target.address);
    const via = request.via[0];
    if (!via) throw new TransportError('request has no Via');
    // RFC 3261 §18.1.1: sent-by names the listening point the request leaves from;
    // RFC 3581 §3: `rport` asks the server to answer to our source port.
    const lp = binding.listeningPoint;
    via.transport = target.protocol;
    via.host = lp.advertisedHost;
    via.port = lp.port;
    if (!('rport' in via.params)) via.params['rport'] = null;
    // DEVIATION (RFC 3261 §18.1.1): a large request over UDP is not moved to TCP here;
    // the caller chooses the target's protocol.
    const data = serializeMessage(request);
    if (binding.kind === 'datagram') return binding.send(data, target.address, target.port);
    const connection = await this.#connectionFor(binding, target);
    await connection.send(data);
    return connection.flow;
  }

  async sendResponse(response: SipResponse, requestFlow: Flow): Promise<void> {
    const via = response.via[0];
    if (!via) throw new TransportError('response has no Via');
    await this.#sendTo(
      serializeMessage(response),
      responseDestination(via, requestFlow),
      requestFlow,
    );
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all(this.#bindings.map((b) => b.close()));
    this.#connections.clear();
    this.#byRemote.clear();
  }

  async #sendTo(data: Buffer, target: Target, requestFlow: Flow): Promise<void> {
    if (isReliable(target.protocol)) {
      const binding = this.#bindingFor(target.protocol, target.address);
      if (binding.kind !== 'stream')
        throw new TransportError(`no stream transport for ${target.protocol}`);
      const connection = await this.#connectionFor(binding, target);
      await connection.send(data);
      return;
    }
    // RFC 3581 §4: the response leaves from the address and port the request arrived on,
    // or a NAT in between would not let it through.
    const binding =
      this.#bindings.find(
        (b): b is DatagramBinding =>
          b.kind === 'datagram' &&
          b.listeningPoint.port === requestFlow.localPort &&
          plainAddress(b.listeningPoint.address) === plainAddress(requestFlow.localAddress),
      ) ?? this.#bindingFor(target.protocol, target.address);
    if (binding.kind !== 'datagram')
      throw new TransportError(`no datagram transport for ${target.protocol}`);
    await binding.send(data, target.address, target.port);
  }

  #bindingFor(protocol: TransportProtocol, address: string): Binding {
    if (this.#closed) throw new TransportError('transport layer is closed');
    const candidates = this.#bindings.filter((b) => b.listeningPoint.protocol === protocol);
    const v6 = plainAddress(address).includes(':');
    const sameFamily = candidates.find(
      (b) => plainAddress(b.listeningPoint.address).includes(':') === v6,
    );
    const binding = sameFamily ?? candidates[0];
    if (!binding) throw new TransportError(`no listening point for ${protocol}`);
    return binding;
  }

  /** The given connection if open, else one open to the same remote, else a new one. */
  async #connectionFor(binding: StreamBinding, target: Target): Promise<Connection> {
    if (target.connectionId !== undefined) {
      const open = this.#connections.get(target.connectionId);
      if (open) return open;
    }
    const key = remoteKey(target.protocol, target.address, target.port);
    const reuseId = this.#byRemote.get(key);
    const reuse = reuseId === undefined ? undefined : this.#connections.get(reuseId);
    if (reuse) return reuse;
    const pending = this.#connecting.get(key);
    if (pending) return pending;
    const opening = binding
      .connect(target.address, target.port)
      .finally(() => this.#connecting.delete(key));
    this.#connecting.set(key, opening);
    return opening;
  }

  // --- inbound (InboundSink) ------------------------------------------------------------

  nextConnectionId(protocol: TransportProtocol): string {
    return `${protocol.toLowerCase()}-${++this.#nextId}`;
  }

  onConnectionOpened(connection: Connection): void {
    this.#connections.set(connection.id, connection);
    const f = connection.flow;
    this.#byRemote.set(remoteKey(f.protocol, f.remoteAddress, f.remotePort), connection.id);
  }

  onConnectionClosed(connection: Connection): void {
    this.#connections.delete(connection.id);
    const f = connection.flow;
    const key = remoteKey(f.protocol, f.remoteAddress, f.remotePort);
    if (this.#byRemote.get(key) === connection.id) this.#byRemote.delete(key);
    if (this.#closed) return;
    this.#deliver(() => this.#user.onConnectionClosed?.(connection.id, connection.flow));
  }

  onFramingError(error: FramingError, connection: Connection): void {
    // RFC 3261 §18.3: without a usable Content-Length the stream cannot be resynchronised;
    // answer the request if its headers allow, then close.
    const reply = error.head
      ? this.#errorResponse(error.head, error.status, error.reason)
      : undefined;
    if (!reply) {
      connection.close();
      return;
    }
    connection
      .send(serializeMessage(reply))
      .catch((err: Error) =>
        this.#logger.debug({ err: err.message }, 'could not answer unframable request'),
      )
      .finally(() => connection.close());
  }

  onMessage(data: Buffer, flow: Flow): void {
    try {
      this.#receive(data, flow);
    } catch (err) {
      // Nothing a peer sends may escape the transport.
      this.#logger.error(
        { err: (err as Error).message, flow },
        'failed to handle incoming message',
      );
    }
  }

  #receive(data: Buffer, flow: Flow): void {
    if (isBlank(data)) return;
    if (data.length > this.#maxMessageSize) {
      const reply = this.#errorResponse(data, 513, 'Message Too Large');
      if (reply) this.#reply(reply, flow);
      return;
    }
    const parsed = parseMessage(data);
    if (!parsed.ok) {
      this.#answerUnparsed(parsed.error, parsed.error.status, parsed.error.reason, flow);
      return;
    }
    const message = parsed.message;
    if (message.kind === 'request') {
      const via = message.via[0];
      if (!via) return;
      stampVia(via, flow.remoteAddress, flow.remotePort);
      this.#deliver(() => this.#user.onRequest({ message, flow }));
      return;
    }
    // RFC 3261 §18.1.2: a response whose top Via is not ours is discarded.
    const via = message.via[0];
    if (!via || !this.#isOurs(via)) {
      this.#logger.debug({ flow, callId: message.callId }, 'dropping response not sent by us');
      return;
    }
    this.#deliver(() => this.#user.onResponse({ message, flow }));
  }

  /** A stateless error response for `data`, or undefined when none can be built. */
  #errorResponse(data: Buffer, status: number, reason: string): SipResponse | undefined {
    const parsed = parseMessage(data);
    if (parsed.ok)
      return parsed.message.kind === 'request'
        ? createResponse(parsed.message, status, reason)
        : undefined;
    if (!parsed.error.isRequest) return undefined;
    return createResponseToUnparsed(parsed.error, status, reason) ?? undefined;
  }

  #answerUnparsed(error: ParseError, status: number, reason: string, flow: Flow): void {
    // RFC 3261 §16.3 / §8.2: a broken request gets its error status when the headers
    // needed for a response survived; a broken response is silently dropped.
    if (!error.isRequest) return;
    const reply = createResponseToUnparsed(error, status, reason);
    if (reply) return this.#reply(reply, flow);
    // Too broken to route by its Via: answer the source it came from (RFC 3581 §4 style).
    const raw = formatRawErrorResponse(error, status, reason);
    if (!raw) return;
    const source = {
      protocol: flow.protocol,
      address: flow.remoteAddress,
      port: flow.remotePort,
      ...(flow.connectionId ? { connectionId: flow.connectionId } : {}),
    };
    this.#sendTo(raw, source, flow).catch((err: Error) =>
      this.#logger.debug({ err: err.message }, 'could not send stateless error response'),
    );
  }

  #reply(reply: SipResponse, flow: Flow): void {
    const via = reply.via[0];
    if (!via) return;
    stampVia(via, flow.remoteAddress, flow.remotePort);
    this.sendResponse(reply, flow).catch((err: Error) =>
      this.#logger.debug({ err: err.message }, 'could not send stateless error response'),
    );
  }

  #isOurs(via: Via): boolean {
    const host = plainAddress(via.host);
    const port = via.port ?? defaultPort(via.transport);
    return this.#bindings.some(
      ({ listeningPoint: lp }) =>
        lp.port === port &&
        (plainAddress(lp.advertisedHost) === host || plainAddress(lp.address) === host),
    );
  }

  #deliver(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#logger.error({ err: (err as Error).message }, 'transport user threw');
    }
  }
}
