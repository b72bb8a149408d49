// Responses built by the message layer (RFC 3261 §8.2.6.2: Via, From, Call-ID, CSeq copied,
// To tagged except on 100), plus what the application layer adds on top.
import { createResponse } from '../message/builders.ts';
import type { HeaderField, SipRequest, SipResponse } from '../message/types.ts';
import { canonicalName } from './header-access.ts';

export interface ResponseParts {
  status: number;
  reason: string;
  /** The UAS's To tag, added when the request's To has none. */
  toTag: string;
  headers: readonly HeaderField[];
  body: Buffer;
}

/** Methods whose responses may establish a dialog (RFC 3261 §12.1.1, RFC 6665 §4.1.2). */
const dialogCreating = new Set(['INVITE', 'SUBSCRIBE', 'REFER']);

export function buildResponse(request: SipRequest, parts: ResponseParts): SipResponse {
  const response = createResponse(request, parts.status, parts.reason, {
    toTag: parts.toTag,
    headers: parts.headers,
    body: parts.body,
  });
  // RFC 3261 §12.1.1: a dialog-creating response copies Record-Route in order.
  if (dialogCreating.has(request.method) && parts.status > 100 && parts.status < 300) {
    response.recordRoute = [...request.recordRoute];
  }
  return response;
}

/** Whether a header name is one the message keeps as a typed field. */
export function isTypedHeader(name: string): boolean {
  return typedHeaderNames.has(canonicalName(name));
}

const typedHeaderNames = new Set([
  'via',
  'from',
  'to',
  'call-id',
  'cseq',
  'max-forwards',
  'contact',
  'route',
  'record-route',
  'content-length',
]);
