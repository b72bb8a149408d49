// Small pieces every leg of a B2BUA call uses: where to send, and which header fields cross
// from one leg to the other. A B2BUA is two user agents (RFC 3261 §6 "B2BUA"), so only what
// describes the session crosses; Via, Contact, Record-Route, tags and CSeq are each leg's own.
import { randomBytes } from 'node:crypto';
import type { Trunk } from '@ipvoice/config';
import type { Anonymity } from '@ipvoice/features';
import {
  Dialog,
  parseUri,
  type DialogCreateResult,
  type SipResponse,
  type Flow,
  type HeaderField,
  type InviteOptions,
  type NameAddr,
  type SipMessage,
  type SipRequest,
  type Target,
  type TransportProtocol,
  type Uri,
} from '@ipvoice/sip';
import type { Binding } from '@ipvoice/state';

/** Header fields copied between legs, by lower-case name. Identity (From, Privacy,
 * P-Asserted-Identity) is never copied: each leg's is made from what we established
 * (`CallerIdentity`), so a device cannot assert a number it does not own (RFC 3325 §5). */
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

/** Who the callee is told is calling (SPEC §3.6). */
export interface CallerIdentity {
  /** The number shown; undefined when withheld or unknown. */
  number?: string;
  anonymity?: Anonymity;
  /** The real identity, for trusted peers only (RFC 3325 P-Asserted-Identity). */
  asserted?: string;
}

export interface LegInvite {
  /** The caller's INVITE. */
  incoming: SipRequest;
  /** Request-URI of the new leg: a binding's contact, or the number at the trunk. */
  uri: Uri;
  domain: string;
  identity: CallerIdentity;
  /** The next hop is a trusted peer (a trunk): it may see the asserted identity. */
  trusted: boolean;
  toNumber: string;
  /** Diversion / History-Info of a forwarded call. */
  history: readonly HeaderField[];
  /** RFC 3327 Path of the binding. */
  path: readonly string[];
}

/** The INVITE of a new leg: the caller's session and session-level headers, our own From
 * tag, To the number rung, the forwarding history, and one hop less. */
export function legInvite(leg: LegInvite): InviteOptions {
  const m = leg.incoming;
  const headers: HeaderField[] = [...relayHeaders(m), ...leg.history];
  // RFC 3327: a binding registered through proxies is reached through them again.
  for (const hop of leg.path) headers.push({ name: 'Route', value: hop });
  const { identity } = leg;
  const numberUri = (n: string) => `sip:${n}@${leg.domain};user=phone`;
  const withheld = identity.anonymity === 'withheld';
  // SPEC §3.6 / RFC 3323 §4.1.1.3: a withheld caller is anonymous in From and asks for
  // privacy; its real identity reaches trusted peers only (RFC 3325 §7).
  if (withheld) headers.push({ name: 'Privacy', value: 'id' });
  if (leg.trusted && identity.asserted)
    headers.push({ name: 'P-Asserted-Identity', value: `<${numberUri(identity.asserted)}>` });
  // SPEC §3.1: the forwarded call keeps the original caller ID.
  const shown = withheld ? undefined : identity.number;
  const from: NameAddr = {
    ...(withheld
      ? { displayName: 'Anonymous' }
      : shown && m.from.displayName
        ? { displayName: m.from.displayName }
        : {}),
    uri: parseUri(shown ? numberUri(shown) : 'sip:anonymous@anonymous.invalid') ?? m.from.uri,
    params: { tag: randomBytes(8).toString('base64url') },
  };
  const to: NameAddr = {
    uri: parseUri(`sip:${leg.toNumber}@${leg.domain};user=phone`) ?? leg.uri,
    params: {},
  };
  return {
    uri: leg.uri,
    from,
    to,
    headers: asHeaderInit(headers),
    body: m.body,
    // RFC 3261 §16.6 step 3 in spirit: a B2BUA passes the hop count on, less one.
    maxForwards: Math.max((m.maxForwards ?? 70) - 1, 0),
  };
}

/**
 * The dialog our 2xx to `request` creates (RFC 3261 §12.1.1): the request's route set and
 * remote target, our To tag and Contact. Used for every call leg and subscription we answer.
 */
export function answeredDialog(
  request: SipRequest,
  toTag: string,
  contact: NameAddr,
): DialogCreateResult {
  return Dialog.fromUasResponse(request, {
    ...(request as unknown as SipResponse),
    kind: 'response',
    status: 200,
    reason: 'OK',
    to: { ...request.to, params: { ...request.to.params, tag: toTag } },
    contact: [contact],
  });
}
