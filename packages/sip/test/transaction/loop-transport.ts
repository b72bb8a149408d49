// A transport for transaction tests, in the spirit of pjsip's loop transport: it records
// every message handed to it (with the fake clock's time) and can drop, delay or fail sends.
// When linked to a peer layer it delivers what it does not drop after `delay` ms.
import { FakeClock } from '../../src/core/clock.ts';
import { sequentialIdGenerator } from '../../src/message/ids.ts';
import type { NameAddr, SipMessage, SipRequest, SipResponse } from '../../src/message/types.ts';
import type {
  Flow,
  IncomingMessage,
  Target,
  TransportLayer,
  TransportProtocol,
} from '../../src/transport/types.ts';

export interface Sent {
  /** Milliseconds since the test started. */
  at: number;
  message: SipMessage;
  dropped: boolean;
}

export interface LoopPeer {
  receiveRequest(incoming: IncomingMessage<SipRequest>): void;
  receiveResponse(incoming: IncomingMessage<SipResponse>): void;
}

export class LoopTransport implements TransportLayer {
  readonly listeningPoints = [];
  readonly sent: Sent[] = [];
  readonly #start: number;
  /** Sends matching this fail with a transport error (RFC 3261 §17.1.4, §17.2.4). */
  fail: (message: SipMessage) => boolean = () => false;
  /** Sends matching this are recorded but never delivered. */
  drop: (message: SipMessage) => boolean = () => false;
  /** Delivery delay to the peer. */
  delay = 0;
  peer?: LoopPeer;

  constructor(
    readonly clock: FakeClock,
    readonly protocol: TransportProtocol = 'UDP',
  ) {
    this.#start = clock.now();
  }

  isReliable(protocol: TransportProtocol): boolean {
    return protocol !== 'UDP';
  }

  sendRequest(request: SipRequest, target: Target): Promise<Flow> {
    const flow: Flow = {
      protocol: target.protocol,
      remoteAddress: target.address,
      remotePort: target.port,
      localAddress: '192.0.2.1',
      localPort: 5060,
      ...(target.protocol === 'UDP' ? {} : { connectionId: 'conn-1' }),
    };
    return this.#send(request, flow);
  }

  sendResponse(response: SipResponse, requestFlow: Flow): Promise<void> {
    return this.#send(response, requestFlow).then(() => undefined);
  }

  async close(): Promise<void> {}

  /** When each message matching `pick` went out, in ms since the start. */
  times(pick: (m: SipMessage) => boolean): number[] {
    return this.sent.filter((s) => pick(s.message)).map((s) => s.at);
  }

  #send(message: SipMessage, flow: Flow): Promise<Flow> {
    const dropped = this.drop(message);
    this.sent.push({ at: this.clock.now() - this.#start, message, dropped });
    if (this.fail(message)) return Promise.reject(new Error('network unreachable'));
    const peer = this.peer;
    if (peer && !dropped) {
      // The peer sees the message coming from us.
      const back: Flow = {
        ...flow,
        remoteAddress: flow.localAddress,
        remotePort: flow.localPort,
        localAddress: flow.remoteAddress,
        localPort: flow.remotePort,
      };
      this.clock.setTimeout(() => {
        if (message.kind === 'request') peer.receiveRequest({ message, flow: back });
        else peer.receiveResponse({ message, flow: back });
      }, this.delay);
    }
    return Promise.resolve(flow);
  }
}

/** Lets rejected sends reach their handlers (promise callbacks run as microtasks). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

export const isRequest = (method: string) => (m: SipMessage) =>
  m.kind === 'request' && m.method === method;
export const isResponse = (status: number) => (m: SipMessage) =>
  m.kind === 'response' && m.status === status;

function addr(user: string, tag?: string): NameAddr {
  return {
    uri: { scheme: 'sip', user, host: 'example.com', params: {}, headers: {} },
    params: tag ? { tag } : {},
  };
}

export interface RequestOptions {
  method?: string;
  branch?: string;
  protocol?: TransportProtocol;
  fromTag?: string;
  toTag?: string;
  callId?: string;
  seq?: number;
}

/** A request as the parser would give it, built by hand so these tests stand alone. */
export function makeRequest(options: RequestOptions = {}): SipRequest {
  const method = options.method ?? 'INVITE';
  return {
    kind: 'request',
    method,
    uri: { scheme: 'sip', user: 'bob', host: 'example.com', params: {}, headers: {} },
    version: 'SIP/2.0',
    via: [
      {
        protocol: 'SIP/2.0',
        transport: options.protocol ?? 'UDP',
        host: '192.0.2.1',
        port: 5060,
        params: { branch: options.branch ?? 'z9hG4bK-1' },
      },
    ],
    from: addr('alice', options.fromTag ?? 'a1'),
    to: addr('bob', options.toTag),
    callId: options.callId ?? 'call-1@192.0.2.1',
    cseq: { seq: options.seq ?? 1, method },
    maxForwards: 70,
    contact: [],
    contactWildcard: false,
    route: [
      {
        uri: { scheme: 'sip', host: 'proxy.example.com', params: { lr: null }, headers: {} },
        params: {},
      },
    ],
    recordRoute: [],
    headers: [],
    body: Buffer.alloc(0),
  };
}

/** A response to `request` (RFC 3261 §8.2.6.2 copying), with a To tag for non-100. */
export function makeResponse(request: SipRequest, status: number, toTag = 'b1'): SipResponse {
  return {
    kind: 'response',
    status,
    reason: 'Reason',
    version: 'SIP/2.0',
    via: request.via,
    from: request.from,
    to:
      status === 100
        ? request.to
        : {
            ...request.to,
            params: { ...request.to.params, tag: request.to.params['tag'] ?? toTag },
          },
    callId: request.callId,
    cseq: request.cseq,
    contact: [],
    contactWildcard: false,
    route: [],
    recordRoute: [],
    headers: [],
    body: Buffer.alloc(0),
  };
}

export const udpTarget: Target = { protocol: 'UDP', address: '198.51.100.7', port: 5060 };
export const tcpTarget: Target = { protocol: 'TCP', address: '198.51.100.7', port: 5060 };

export function flowFor(protocol: TransportProtocol): Flow {
  return {
    protocol,
    remoteAddress: '192.0.2.1',
    remotePort: 5060,
    localAddress: '198.51.100.7',
    localPort: 5060,
    ...(protocol === 'UDP' ? {} : { connectionId: 'conn-9' }),
  };
}

export function incoming<M extends SipMessage>(
  message: M,
  protocol: TransportProtocol = 'UDP',
): IncomingMessage<M> {
  return { message, flow: flowFor(protocol) };
}

import { TransactionLayer, type TransactionUser } from '../../src/transaction/transaction-layer.ts';
import type { ClientTransactionUser } from '../../src/transaction/client-transaction.ts';
import type { ClientTransactionFailure } from '../../src/transaction/errors.ts';

/** A client TU that writes down what it is told, with the time. */
export class RecordingClientUser implements ClientTransactionUser {
  readonly responses: { at: number; status: number }[] = [];
  readonly failures: { at: number; failure: ClientTransactionFailure }[] = [];
  constructor(
    readonly clock: FakeClock,
    readonly start = clock.now(),
  ) {}
  onResponse(incoming: IncomingMessage<SipResponse>): void {
    this.responses.push({ at: this.clock.now() - this.start, status: incoming.message.status });
  }
  onFailure(failure: ClientTransactionFailure): void {
    this.failures.push({ at: this.clock.now() - this.start, failure });
  }
}

export function setup(
  options: { user?: Partial<TransactionUser>; protocol?: TransportProtocol } = {},
) {
  const clock = new FakeClock();
  const transport = new LoopTransport(clock, options.protocol);
  const layer = new TransactionLayer({
    transport,
    clock,
    ids: sequentialIdGenerator(),
    user: { onRequest: () => {}, ...options.user },
  });
  return { clock, transport, layer, clientUser: new RecordingClientUser(clock) };
}
