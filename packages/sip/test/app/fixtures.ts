// Typed requests built by hand, so app tests do not depend on the parser.
import type { SipRequest } from '../../src/message/types.ts';
import type { Flow } from '../../src/transport/types.ts';

export function request(method: string, overrides: Partial<SipRequest> = {}): SipRequest {
  return {
    kind: 'request',
    method,
    uri: { scheme: 'sip', user: 'alice', host: 'example.com', params: {}, headers: {} },
    version: 'SIP/2.0',
    via: [
      {
        protocol: 'SIP/2.0',
        transport: 'UDP',
        host: '192.0.2.1',
        port: 5060,
        params: { branch: 'z9hG4bK-1' },
      },
    ],
    from: {
      uri: { scheme: 'sip', user: 'bob', host: 'example.com', params: {}, headers: {} },
      params: { tag: 'ft' },
    },
    to: {
      uri: { scheme: 'sip', user: 'alice', host: 'example.com', params: {}, headers: {} },
      params: {},
    },
    callId: 'call-1@192.0.2.1',
    cseq: { seq: 1, method },
    maxForwards: 70,
    contact: [],
    contactWildcard: false,
    route: [],
    recordRoute: [],
    headers: [],
    body: Buffer.alloc(0),
    ...overrides,
  };
}

export const udpFlow: Flow = {
  protocol: 'UDP',
  remoteAddress: '192.0.2.1',
  remotePort: 5060,
  localAddress: '127.0.0.1',
  localPort: 5060,
};
