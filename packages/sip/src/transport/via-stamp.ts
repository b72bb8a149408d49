// What the server transport writes into the top Via of a request it receives.
import { isIP } from 'node:net';
import type { Via } from '../message/types.ts';

/** Strips IPv6 brackets and the IPv4-mapped prefix so addresses compare by value. */
export function plainAddress(address: string): string {
  let a = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  if (a.toLowerCase().startsWith('::ffff:') && isIP(a.slice(7)) === 4) a = a.slice(7);
  return a.toLowerCase();
}

/**
 * RFC 3261 §18.2.1: add `received` when the sent-by host is a name or an address other
 * than the packet's source. RFC 3581 §4: an empty `rport` gets the source port, and then
 * `received` is added even when it equals sent-by.
 */
export function stampVia(via: Via, sourceAddress: string, sourcePort: number): void {
  const source = plainAddress(sourceAddress);
  const wantsRport = 'rport' in via.params && via.params['rport'] === null;
  if (wantsRport) via.params['rport'] = String(sourcePort);
  const sentBy = plainAddress(via.host);
  if (wantsRport || isIP(sentBy) === 0 || sentBy !== source) {
    // RFC 3261 §25.1: `received` holds a bare IPv4 or IPv6 address, no brackets.
    via.params['received'] = source;
  }
}
