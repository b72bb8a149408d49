// Header lookup by name for the application: the message layer's raw-field lookup (any
// case, compact forms, RFC 3261 §7.3.3) extended to the typed fields, so `req.get('f')`
// and `req.get('From')` agree.
import { canonicalName, getHeaders } from '../message/headers.ts';
import { formatNameAddr } from '../message/name-addr.ts';
import type { SipMessage } from '../message/types.ts';
import { formatVia } from '../message/via.ts';

export { canonicalName };

/** Every value of `name` in `message`, as text, in order. */
export function headerValues(message: SipMessage, name: string): string[] {
  return typedValues(message, canonicalName(name.trim())) ?? getHeaders(message, name.trim());
}

function typedValues(message: SipMessage, name: string): string[] | undefined {
  switch (name) {
    case 'via':
      return message.via.map(formatVia);
    case 'from':
      return [formatNameAddr(message.from)];
    case 'to':
      return [formatNameAddr(message.to)];
    case 'call-id':
      return [message.callId];
    case 'cseq':
      return [`${message.cseq.seq} ${message.cseq.method}`];
    case 'max-forwards':
      return message.maxForwards === undefined ? [] : [String(message.maxForwards)];
    case 'contact':
      return message.contactWildcard ? ['*'] : message.contact.map(formatNameAddr);
    case 'route':
      return message.route.map(formatNameAddr);
    case 'record-route':
      return message.recordRoute.map(formatNameAddr);
    case 'content-length':
      return [String(message.body.length)];
    default:
      return undefined;
  }
}
