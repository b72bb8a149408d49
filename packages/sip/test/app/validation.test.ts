import test from 'ava';
import { validateRequest, type ValidationPolicy } from '../../src/app/validation.ts';
import { request } from './fixtures.ts';

const policy: ValidationPolicy = {
  allow: ['INVITE', 'ACK', 'CANCEL', 'OPTIONS', 'REGISTER'],
  supported: ['path', 'outbound'],
  accept: { INVITE: ['application/sdp'] },
  isMerged: (r) => r.callId === 'merged',
};

const sdp = {
  headers: [{ name: 'Content-Type', value: 'application/sdp' }],
  body: Buffer.from('v=0\r\n'),
};

const cases: Array<
  [string, Parameters<typeof request>, number | undefined, Record<string, string>?]
> = [
  ['accepts a plain OPTIONS', ['OPTIONS'], undefined],
  ['505 for SIP/7.0', ['OPTIONS', { version: 'SIP/7.0' }], 505],
  ['accepts the version in lower case', ['OPTIONS', { version: 'sip/2.0' }], undefined],
  ['400 when the CSeq method differs', ['OPTIONS', { cseq: { seq: 1, method: 'INVITE' } }], 400],
  [
    '405 with Allow for a known method without handler',
    ['BYE'],
    405,
    { Allow: 'INVITE, ACK, CANCEL, OPTIONS, REGISTER' },
  ],
  [
    '501 with Allow for an unknown method',
    ['NEWMETHOD'],
    501,
    { Allow: 'INVITE, ACK, CANCEL, OPTIONS, REGISTER' },
  ],
  [
    '416 for a urn: Request-URI',
    ['OPTIONS', { uri: { scheme: 'urn', value: 'service:sos' } }],
    416,
  ],
  [
    'accepts a tel: Request-URI',
    ['OPTIONS', { uri: { scheme: 'tel', number: '+81312345678', params: {} } }],
    undefined,
  ],
  ['482 for a merged request', ['OPTIONS', { callId: 'merged' }], 482],
  [
    '420 listing the unsupported Require tags',
    ['OPTIONS', { headers: [{ name: 'Require', value: 'path, nothingyet, 100rel' }] }],
    420,
    { Unsupported: 'nothingyet, 100rel' },
  ],
  [
    'accepts a supported Require in another case',
    ['OPTIONS', { headers: [{ name: 'Require', value: 'Path' }] }],
    undefined,
  ],
  [
    'ignores Require on CANCEL',
    ['CANCEL', { headers: [{ name: 'Require', value: 'nothingyet' }] }],
    undefined,
  ],
  [
    '415 with Accept for an INVITE with a body we cannot read',
    ['INVITE', { headers: [{ name: 'c', value: 'text/plain' }], body: Buffer.from('hi') }],
    415,
    { Accept: 'application/sdp' },
  ],
  [
    '415 for a compressed body',
    [
      'INVITE',
      { headers: [...sdp.headers, { name: 'Content-Encoding', value: 'gzip' }], body: sdp.body },
    ],
    415,
  ],
  ['400 for a body without Content-Type', ['INVITE', { body: Buffer.from('v=0') }], 400],
  [
    'accepts an INVITE with SDP (type case ignored)',
    ['INVITE', { headers: [{ name: 'Content-Type', value: 'Application/SDP' }], body: sdp.body }],
    undefined,
  ],
  [
    'does not judge bodies of methods without an accept list',
    [
      'REGISTER',
      { headers: [{ name: 'Content-Type', value: 'text/x-anything' }], body: Buffer.from('x') },
    ],
    undefined,
  ],
  [
    '406 for an INVITE whose Accept rules out SDP',
    ['INVITE', { headers: [{ name: 'Accept', value: 'text/nobodyKnowsThis' }] }],
    406,
  ],
  [
    'accepts an INVITE that accepts */*',
    ['INVITE', { headers: [{ name: 'Accept', value: 'text/plain, */*' }] }],
    undefined,
  ],
  ['483 for an INVITE with Max-Forwards 0', ['INVITE', { maxForwards: 0 }], 483],
  ['answers OPTIONS with Max-Forwards 0', ['OPTIONS', { maxForwards: 0 }], undefined],
  ['505 comes before 501', ['NEWMETHOD', { version: 'SIP/3.0' }], 505],
  [
    '501 comes before the CSeq check (RFC 4475 mismatch02)',
    ['NEWMETHOD', { cseq: { seq: 1, method: 'INVITE' } }],
    501,
  ],
  ['501 comes before 416', ['NEWMETHOD', { uri: { scheme: 'urn', value: 'x' } }], 501],
  [
    '416 comes before 420',
    [
      'OPTIONS',
      { uri: { scheme: 'urn', value: 'x' }, headers: [{ name: 'Require', value: 'nothingyet' }] },
    ],
    416,
  ],
];

for (const [name, args, status, headers] of cases) {
  test(name, (t) => {
    const rejection = validateRequest(request(...args), policy);
    t.is(rejection?.status, status);
    if (headers) t.like(rejection?.headers ?? {}, headers);
  });
}
