// Header lookup by name for the application: any case, compact forms (RFC 3261 §7.3.3),
// typed fields included, so `req.get('f')` and `req.get('From')` agree.
import { formatParams } from '../message/params.ts';
import { quote } from '../message/scan.ts';
import type { NameAddr, SipMessage, Via } from '../message/types.ts';
import { formatUri } from '../message/uri.ts';

// RFC 3261 §7.3.3 and later RFCs' compact forms.
const compact: Record<string, string> = {
  i: 'call-id', m: 'contact', e: 'content-encoding', l: 'content-length', c: 'content-type',
  f: 'from', s: 'subject', k: 'supported', t: 'to', v: 'via', o: 'event', r: 'refer-to',
  b: 'referred-by', u: 'allow-events', x: 'session-expires', j: 'reject-contact',
  a: 'accept-contact', d: 'request-disposition', y: 'identity', n: 'identity-info',
};

/** Lower-case long form of a header name. */
export function canonicalName(name: string): string {
  const lower = name.trim().toLowerCase();
  return compact[lower] ?? lower;
}

/** Every value of `name` in `message`, as text, in order. */
export function headerValues(message: SipMessage, name: string): string[] {
  const wanted = canonicalName(name);
  const typed = typedValues(message, wanted);
  if (typed) return typed;
  return message.headers.filter((h) => canonicalName(h.name) === wanted).map((h) => h.value);
}

function typedValues(message: SipMessage, name: string): string[] | undefined {
  switch (name) {
    case 'via': return message.via.map(formatVia);
    case 'from': return [formatNameAddr(message.from)];
    case 'to': return [formatNameAddr(message.to)];
    case 'call-id': return [message.callId];
    case 'cseq': return [`${message.cseq.seq} ${message.cseq.method}`];
    case 'max-forwards': return message.maxForwards === undefined ? [] : [String(message.maxForwards)];
    case 'contact': return message.contactWildcard ? ['*'] : message.contact.map(formatNameAddr);
    case 'route': return message.route.map(formatNameAddr);
    case 'record-route': return message.recordRoute.map(formatNameAddr);
    case 'content-length': return [String(message.body.length)];
    default: return undefined;
  }
}

// DEVIATION: local formatters until the message layer exports its own; same output shape.
function formatNameAddr(value: NameAddr): string {
  const name = value.displayName === undefined ? '' : `${quote(value.displayName)} `;
  return `${name}<${formatUri(value.uri)}>${formatParams(value.params)}`;
}

function formatVia(via: Via): string {
  const port = via.port === undefined ? '' : `:${via.port}`;
  return `${via.protocol}/${via.transport} ${via.host}${port}${formatParams(via.params)}`;
}
