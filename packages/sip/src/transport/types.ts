// The contract between the transport layer (RFC 3261 §18) and the layers above it.
import type { SipMessage, SipRequest, SipResponse } from '../message/types.ts';

export type TransportProtocol = 'UDP' | 'TCP' | 'TLS' | 'WS' | 'WSS';

/** A socket address we listen on (used for Via sent-by, Contact and Record-Route). */
export interface ListeningPoint {
  protocol: TransportProtocol;
  /** The bound address, e.g. 0.0.0.0 or 127.0.0.1. */
  address: string;
  port: number;
  /** The address to advertise in Via/Contact when `address` is a wildcard. */
  advertisedHost: string;
}

/** How a message arrived, or how one should leave: the remote address and, for stream
 * transports, the connection. Kept in registrations so a device behind NAT can be reached
 * again over the flow it registered on (RFC 5626 in spirit, RFC 3581 for UDP). */
export interface Flow {
  protocol: TransportProtocol;
  remoteAddress: string;
  remotePort: number;
  localAddress: string;
  localPort: number;
  /** Set for connection-oriented transports: the id of the connection it came on. */
  connectionId?: string;
}

/** Where to send a request: an explicit destination, optionally bound to a connection. */
export interface Target {
  protocol: TransportProtocol;
  address: string;
  port: number;
  /** Reuse this connection when it is still open (the flow a device registered on). */
  connectionId?: string;
}

export interface IncomingMessage<M extends SipMessage = SipMessage> {
  message: M;
  flow: Flow;
}

/** What the transport layer reports upward (STYLE.md: typed interfaces, not string events). */
export interface TransportUser {
  onRequest(incoming: IncomingMessage<SipRequest>): void;
  onResponse(incoming: IncomingMessage<SipResponse>): void;
  /** A stream connection closed or failed: bindings over it are dead. */
  onConnectionClosed?(connectionId: string, flow: Flow): void;
}

export interface TransportLayer {
  readonly listeningPoints: readonly ListeningPoint[];
  /** Whether a protocol is reliable (RFC 3261 §17: no retransmission timers A/E/G). */
  isReliable(protocol: TransportProtocol): boolean;
  /** Sends a request, opening a connection if needed. Rejects on transport error (§17.1.4). */
  sendRequest(request: SipRequest, target: Target): Promise<Flow>;
  /** Sends a response where RFC 3261 §18.2.2 and RFC 3581 §4 say, using the flow the
   * request came on. Rejects on transport error (§17.2.4). */
  sendResponse(response: SipResponse, requestFlow: Flow): Promise<void>;
  close(): Promise<void>;
}
