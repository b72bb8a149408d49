// Small pieces every leg of a B2BUA call uses: where to send, and which header fields cross
// from one leg to the other. A B2BUA is two user agents (RFC 3261 §6 "B2BUA"), so only what
// describes the session crosses; Via, Contact, Record-Route, tags and CSeq are each leg's own.
import type { Trunk } from '@ipvoice/config';
import type { Flow, HeaderField, SipMessage, Target, TransportProtocol } from '@ipvoice/sip';
import type { Binding } from '@ipvoice/state';

/** Header fields copied between legs, by lower-case name. */
const relayed = new Set([
  'content-type',
  'c',
  'e',
  'o',
  'content-disposition',
  'content-language',
  'content-encoding',
  // RFC 4028: session timers are negotiated end to end through us.
  'session-expires',
  'x',
  'min-se',
  'allow',
  'accept',
  'privacy',
  'p-asserted-identity',
  'p-preferred-identity',
  'reason',
  'event',
  'subscription-state',
  'info-package',
  'recv-info',
  'alert-info',
  'call-info',
  'user-to-user',
]);

/** Option tags we let cross; 100rel is not among them (we do not relay PRACK, RFC 3262). */
const relayedOptions = new Set(['timer', 'replaces', 'norefersub', 'histinfo']);

export function relayHeaders(message: SipMessage): HeaderField[] {
  const fields: HeaderField[] = [];
  for (const field of message.headers) {
    const name = field.name.toLowerCase();
    if (relayed.has(name)) {
      fields.push(field);
    } else if (name === 'supported' || name === 'k' || name === 'require') {
      const tags = field.value
        .split(',')
        .map((t) => t.trim())
        .filter((t) => relayedOptions.has(t.toLowerCase()));
      if (tags.length > 0)
        fields.push({ name: name === 'k' ? 'Supported' : field.name, value: tags.join(', ') });
    }
  }
  return fields;
}

export function asHeaderInit(fields: readonly HeaderField[]): Record<string, string[]> {
  const init: Record<string, string[]> = {};
  for (const f of fields) (init[f.name] ??= []).push(f.value);
  return init;
}

/** Where a registered device is reached: over the flow it registered on (NAT, RFC 5626). */
export function bindingTarget(binding: Binding): Target {
  const flow = binding.flow;
  return {
    protocol: flow.protocol.toUpperCase() as TransportProtocol,
    address: flow.remoteAddress,
    port: flow.remotePort,
    ...(flow.connectionId ? { connectionId: flow.connectionId } : {}),
  };
}

/** Where the caller is reached for requests within its dialog: back along its flow. */
export function flowTarget(flow: Flow): Target {
  return {
    protocol: flow.protocol,
    address: flow.remoteAddress,
    port: flow.remotePort,
    ...(flow.connectionId ? { connectionId: flow.connectionId } : {}),
  };
}

export function trunkTarget(trunk: Trunk): Target {
  return { protocol: trunk.protocol, address: trunk.address, port: trunk.port ?? 5060 };
}

/** The trunk a request came from, recognised by its source address (and port if set). */
export function trunkOf(trunks: readonly Trunk[], flow: Flow): Trunk | undefined {
  return trunks.find(
    (t) => t.address === flow.remoteAddress && (t.port === undefined || t.port === flow.remotePort),
  );
}
