// RFC 3261 §8.2.6.2: a response copies Via, From, Call-ID and CSeq from the request, and
// To with a tag added (except for 100), so the UAC can match it to its transaction.
import type { HeaderField, SipRequest, SipResponse } from '../message/types.ts';
import { canonicalName, headerValues } from './header-access.ts';

export interface ResponseParts {
  status: number;
  reason: string;
  /** The UAS's To tag, added when the request's To has none. */
  toTag: string;
  headers: HeaderField[];
  body: Buffer;
}

/** Methods whose responses may establish a dialog (RFC 3261 §12.1.1, RFC 6665 §4.1.2). */
const dialogCreating = new Set(['INVITE', 'SUBSCRIBE', 'REFER']);

export function buildResponse(request: SipRequest, parts: ResponseParts): SipResponse {
  const to = { ...request.to, params: { ...request.to.params } };
  // RFC 3261 §8.2.6.2: tag every response but 100 (which MAY carry one).
  if (parts.status > 100 && to.params['tag'] === undefined) to.params['tag'] = parts.toTag;
  const headers = [...parts.headers];
  // RFC 3261 §8.2.6.1: a 100 (Trying) echoes the request's Timestamp.
  if (parts.status === 100) {
    for (const value of headerValues(request, 'Timestamp')) headers.push({ name: 'Timestamp', value });
  }
  // RFC 3261 §12.1.1: a dialog-creating response copies Record-Route in order.
  const copiesRecordRoute = dialogCreating.has(request.method) && parts.status > 100 && parts.status < 300;
  return {
    kind: 'response',
    version: 'SIP/2.0',
    status: parts.status,
    reason: parts.reason,
    via: request.via.map((v) => ({ ...v, params: { ...v.params } })),
    from: request.from,
    to,
    callId: request.callId,
    cseq: { ...request.cseq },
    contact: [],
    contactWildcard: false,
    route: [],
    recordRoute: copiesRecordRoute ? [...request.recordRoute] : [],
    headers,
    body: parts.body,
  };
}

/** Whether a header name is one the message keeps as a typed field. */
export function isTypedHeader(name: string): boolean {
  return typedHeaderNames.has(canonicalName(name));
}

const typedHeaderNames = new Set([
  'via', 'from', 'to', 'call-id', 'cseq', 'max-forwards', 'contact', 'route', 'record-route',
  'content-length',
]);
