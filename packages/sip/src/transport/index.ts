// The transport layer (RFC 3261 §18, RFC 3581, RFC 7118, RFC 5626 keep-alives).
export type * from './types.ts';
export { createTransportLayer, DEFAULT_MAX_MESSAGE_SIZE } from './transport-layer.ts';
export type { ListenOptions, TransportLayerOptions } from './transport-layer.ts';
export { TransportCore, TransportError } from './transport-core.ts';
export type { TlsClientOptions, TlsCredentials } from './tls-transport.ts';
export { LoopNetwork } from './loop.ts';
export type { LoopEndpointOptions, LoopFate, LoopNetworkOptions, LoopPacket } from './loop.ts';
export { StreamFramer, readContentLength } from './stream-framer.ts';
export type { FramerOutput } from './stream-framer.ts';
export { responseDestination, defaultPort, isReliable } from './response-destination.ts';
export { stampVia } from './via-stamp.ts';
export { SIP_SUBPROTOCOL } from './ws-transport.ts';
