// Typed INVITE exchanges for dialog tests, built field by field (URIs through the message layer).
import type { NameAddr, SipRequest, SipResponse, SipUri } from '../../src/message/types.ts';
import { formatUri, parseUri } from '../../src/message/uri.ts';

export function uri(text: string): SipUri {
  const parsed = parseUri(text);
  if (!parsed || !('host' in parsed)) throw new Error(`test uri: ${text}`);
  return parsed;
}

export function addr(text: string, tag?: string): NameAddr {
  return { uri: uri(text), params: tag ? { tag } : {} };
}

export function invite(
  options: { recordRoute?: string[]; uri?: string; contact?: string; seq?: number } = {},
): SipRequest {
  return {
    kind: 'request',
    method: 'INVITE',
    uri: uri(options.uri ?? 'sip:bob@biloxi.example.com'),
    version: 'SIP/2.0',
    via: [
      {
        protocol: 'SIP/2.0',
        transport: 'UDP',
        host: 'pc33.atlanta.example.com',
        params: { branch: 'z9hG4bKnashds8' },
      },
    ],
    from: {
      displayName: 'Alice',
      uri: uri('sip:alice@atlanta.example.com'),
      params: { tag: '1928301774' },
    },
    to: { displayName: 'Bob', uri: uri('sip:bob@biloxi.example.com'), params: {} },
    callId: 'a84b4c76e66710@pc33.atlanta.example.com',
    cseq: { seq: options.seq ?? 314159, method: 'INVITE' },
    maxForwards: 70,
    contact: [addr(options.contact ?? 'sip:alice@pc33.atlanta.example.com')],
    contactWildcard: false,
    route: [],
    recordRoute: (options.recordRoute ?? []).map((r) => addr(r)),
    headers: [],
    body: Buffer.alloc(0),
  };
}

export function responseTo(
  request: SipRequest,
  status: number,
  options: { toTag?: string; contact?: string; recordRoute?: string[] } = {},
): SipResponse {
  return {
    kind: 'response',
    status,
    reason: 'Whatever',
    version: 'SIP/2.0',
    via: request.via,
    from: request.from,
    to: { ...request.to, params: options.toTag ? { tag: options.toTag } : {} },
    callId: request.callId,
    cseq: request.cseq,
    contact: options.contact ? [addr(options.contact)] : [],
    contactWildcard: false,
    route: [],
    // RFC 3261 §16.6: proxies' Record-Route values come back in the response as they were.
    recordRoute: (options.recordRoute ?? request.recordRoute.map((r) => uriText(r))).map((r) =>
      addr(r),
    ),
    headers: [],
    body: Buffer.alloc(0),
  };
}

/** An in-dialog request from the peer, as it would arrive. */
export function peerRequest(
  method: string,
  seq: number,
  options: { contact?: string; localTag?: string; remoteTag?: string } = {},
): SipRequest {
  const base = invite();
  return {
    ...base,
    method,
    uri: uri('sip:alice@pc33.atlanta.example.com'),
    from: {
      uri: uri('sip:bob@biloxi.example.com'),
      params: { tag: options.remoteTag ?? 'a6c85cf' },
    },
    to: {
      uri: uri('sip:alice@atlanta.example.com'),
      params: { tag: options.localTag ?? '1928301774' },
    },
    cseq: { seq, method },
    contact: options.contact ? [addr(options.contact)] : [],
    recordRoute: [],
  };
}

export function uriText(a: NameAddr): string {
  return formatUri(a.uri);
}
