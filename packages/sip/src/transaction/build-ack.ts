import type { SipRequest, SipResponse } from '../message/types.ts';

/**
 * RFC 3261 §17.1.1.3: the ACK a client INVITE transaction sends for a non-2xx final response.
 * Request-URI, Call-ID and From come from the original request, To from the response (it
 * carries the UAS's tag), a single Via equal to the original top Via (same branch, so it
 * matches the server transaction), the CSeq number of the INVITE with method ACK, and the
 * INVITE's Route set.
 */
export function buildAckForNon2xx(invite: SipRequest, response: SipResponse): SipRequest {
  const topVia = invite.via[0];
  return {
    kind: 'request',
    method: 'ACK',
    uri: invite.uri,
    version: invite.version,
    via: topVia ? [topVia] : [],
    from: invite.from,
    to: response.to,
    callId: invite.callId,
    cseq: { seq: invite.cseq.seq, method: 'ACK' },
    maxForwards: invite.maxForwards ?? 70,
    contact: [],
    contactWildcard: false,
    route: invite.route,
    recordRoute: [],
    headers: [],
    body: Buffer.alloc(0),
  };
}
