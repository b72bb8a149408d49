import type { SipRequest } from '../message/types.ts';

/**
 * RFC 3261 §9.1: "The Request-URI, Call-ID, To, the numeric part of CSeq, and From header
 * fields in the CANCEL request MUST be identical to those in the request being cancelled,
 * including tags. A CANCEL constructed by a client MUST have only a single Via header field
 * value matching the top Via value in the request being cancelled." Route is copied too.
 */
export function buildCancel(request: SipRequest): SipRequest {
  const topVia = request.via[0];
  return {
    kind: 'request',
    method: 'CANCEL',
    uri: request.uri,
    version: request.version,
    via: topVia ? [topVia] : [],
    from: request.from,
    to: request.to,
    callId: request.callId,
    cseq: { seq: request.cseq.seq, method: 'CANCEL' },
    maxForwards: request.maxForwards ?? 70,
    contact: [],
    contactWildcard: false,
    route: request.route,
    recordRoute: [],
    headers: [],
    body: Buffer.alloc(0),
  };
}
