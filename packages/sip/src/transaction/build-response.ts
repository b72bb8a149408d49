// The few responses the transaction layer makes itself (100 Trying, the answers to CANCEL).
// A local helper: packages/sip/src/message has no createResponse yet; switch to it when it lands.
import type { SipRequest, SipResponse } from '../message/types.ts';

export interface LocalResponseOptions {
  status: number;
  reason: string;
  /** To tag to add when the request's To has none (RFC 3261 §8.2.6.2); none for 100. */
  toTag?: string;
}

/** RFC 3261 §8.2.6.2: Via, From, To, Call-ID and CSeq copied from the request. */
export function buildResponse(request: SipRequest, options: LocalResponseOptions): SipResponse {
  const to =
    options.toTag !== undefined && request.to.params['tag'] === undefined
      ? { ...request.to, params: { ...request.to.params, tag: options.toTag } }
      : request.to;
  // RFC 3261 §8.2.6.1: a Timestamp in the request is echoed in the response.
  const timestamp = request.headers.filter((h) => h.name.toLowerCase() === 'timestamp');
  return {
    kind: 'response',
    status: options.status,
    reason: options.reason,
    version: 'SIP/2.0',
    via: request.via,
    from: request.from,
    to,
    callId: request.callId,
    cseq: request.cseq,
    contact: [],
    contactWildcard: false,
    route: [],
    recordRoute: [],
    headers: timestamp,
    body: Buffer.alloc(0),
  };
}
