// Internal contract between the transport core and each protocol's socket code.
import type { Flow, ListeningPoint, TransportProtocol } from './types.ts';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { FramerOutput } from './stream-framer.ts';

/** One open stream connection (TCP, TLS, WS, WSS), inbound or outbound. */
export interface Connection {
  readonly id: string;
  /** The flow of this connection; `connectionId` equals `id`. */
  readonly flow: Flow;
  send(data: Buffer): Promise<void>;
  /** Ends the connection after what was written is flushed. */
  close(): void;
}

export type FramingError = Extract<FramerOutput, { kind: 'error' }>;

/** What socket code reports to the core. */
export interface InboundSink {
  /** One whole SIP message (a datagram, a framed stream message, a WebSocket frame). */
  onMessage(data: Buffer, flow: Flow): void;
  /** A stream could not be framed: answer if possible, then close the connection. */
  onFramingError(error: FramingError, connection: Connection): void;
  onConnectionOpened(connection: Connection): void;
  onConnectionClosed(connection: Connection): void;
  nextConnectionId(protocol: TransportProtocol): string;
}

export interface DatagramBinding {
  kind: 'datagram';
  readonly listeningPoint: ListeningPoint;
  send(data: Buffer, address: string, port: number): Promise<Flow>;
  close(): Promise<void>;
}

export interface StreamBinding {
  kind: 'stream';
  readonly listeningPoint: ListeningPoint;
  /** Opens a connection; it is also reported through `onConnectionOpened`. */
  connect(address: string, port: number): Promise<Connection>;
  close(): Promise<void>;
}

export type Binding = DatagramBinding | StreamBinding;

/** Settings every socket module needs. */
export interface SocketSettings {
  sink: InboundSink;
  maxMessageSize: number;
  /** Milliseconds without traffic before a connection is closed; 0 keeps it forever. */
  idleTimeoutMs: number;
  clock: Clock;
  logger: Logger;
}
