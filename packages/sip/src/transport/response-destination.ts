// RFC 3261 §18.2.2 and RFC 3581 §4: where a server sends a response.
import type { Via } from '../message/types.ts';
import type { Flow, Target, TransportProtocol } from './types.ts';
import { plainAddress } from './via-stamp.ts';

export function isReliable(protocol: TransportProtocol): boolean {
  return protocol !== 'UDP';
}

/** The port a Via sent-by means when it names none (RFC 3261 §18.2.2, §19.1.2). */
export function defaultPort(protocol: TransportProtocol | string): number {
  return protocol === 'TLS' || protocol === 'WSS' ? 5061 : 5060;
}

function param(via: Via, name: string): string | undefined {
  const value = via.params[name];
  return value === null || value === undefined || value === '' ? undefined : value;
}

/**
 * The destination of a response whose request arrived on `flow` with `via` as its top Via
 * (already stamped with received/rport by `stampVia`). For reliable transports the result
 * carries the request's connection id; the caller uses it while that connection is open
 * and otherwise connects to the address and port given here.
 */
export function responseDestination(via: Via, flow: Flow): Target {
  const protocol = flow.protocol;
  const sentByPort = via.port ?? defaultPort(protocol);
  const received = param(via, 'received');
  const host = plainAddress(received ?? via.host);
  if (isReliable(protocol)) {
    // RFC 3261 §18.2.2: the connection the request came on; if it has closed, a new
    // connection to the `received` address (or sent-by host) and the sent-by port.
    const target: Target = { protocol, address: host, port: sentByPort };
    if (flow.connectionId !== undefined) target.connectionId = flow.connectionId;
    return target;
  }
  const maddr = param(via, 'maddr');
  if (maddr !== undefined) {
    // RFC 3261 §18.2.2: maddr wins; multicast TTL handling is left out, the address is kept.
    return { protocol, address: plainAddress(maddr), port: sentByPort };
  }
  const rport = param(via, 'rport');
  if (received !== undefined && rport !== undefined && /^\d{1,5}$/.test(rport)) {
    // RFC 3581 §4: back to the source address and port of the request.
    return { protocol, address: host, port: Number(rport) };
  }
  return { protocol, address: host, port: sentByPort };
}
