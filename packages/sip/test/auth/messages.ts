// Typed messages for auth tests, built by hand so these tests do not depend on the parser.
import type { HeaderField, SipRequest, SipResponse, SipUri } from '../../src/message/types.ts';

export function sipUri(user: string, host: string, params: SipUri['params'] = {}): SipUri {
  return { scheme: 'sip', user, host, params, headers: {} };
}

export function request(
  options: { method?: string; uri?: SipUri; headers?: HeaderField[]; body?: string } = {},
): SipRequest {
  const method = options.method ?? 'REGISTER';
  return {
    kind: 'request',
    method,
    uri: options.uri ?? { scheme: 'sip', host: 'example.com', params: {}, headers: {} },
    version: 'SIP/2.0',
    via: [
      {
        protocol: 'SIP/2.0',
        transport: 'UDP',
        host: '192.0.2.10',
        port: 5060,
        params: { branch: 'z9hG4bK776asdhds' },
      },
    ],
    from: { uri: sipUri('alice', 'example.com'), params: { tag: '1928301774' } },
    to: { uri: sipUri('alice', 'example.com'), params: {} },
    callId: 'a84b4c76e66710@pc33.example.com',
    cseq: { seq: 1, method },
    maxForwards: 70,
    contact: [],
    contactWildcard: false,
    route: [],
    recordRoute: [],
    headers: options.headers ?? [],
    body: Buffer.from(options.body ?? ''),
  };
}

/** A 401 (or 407) carrying the given challenge fields. */
export function challengeResponse(headers: HeaderField[], status = 401): SipResponse {
  const req = request();
  return {
    kind: 'response',
    status,
    reason: status === 401 ? 'Unauthorized' : 'Proxy Authentication Required',
    version: 'SIP/2.0',
    via: req.via,
    from: req.from,
    to: { ...req.to, params: { tag: 'srv1' } },
    callId: req.callId,
    cseq: req.cseq,
    contact: [],
    contactWildcard: false,
    route: [],
    recordRoute: [],
    headers,
    body: Buffer.alloc(0),
  };
}

export function withHeaders(req: SipRequest, headers: HeaderField[]): SipRequest {
  return { ...req, headers: [...req.headers, ...headers] };
}

/** A deterministic byte source: counts up from `seed`. */
export function countingRandom(seed = 1): (size: number) => Buffer {
  let next = seed;
  return (size) => Buffer.from(Array.from({ length: size }, () => next++ & 0xff));
}
