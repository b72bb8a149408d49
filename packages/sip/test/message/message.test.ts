// Unit tests of the message layer's helpers, builders and edge rules.
import test from 'ava';
import {
  addHeader,
  createResponse,
  createResponseToUnparsed,
  formatRawErrorResponse,
  formatNameAddr,
  formatUri,
  getHeader,
  getHeaders,
  parseAuthParams,
  parseMessage,
  parseNameAddrList,
  parseUri,
  parseVia,
  removeHeader,
  sequentialIdGenerator,
  serializeMessage,
  setHeader,
  uriEquals,
  type HeaderField,
  type SipRequest,
} from '../../src/message/index.ts';

const crlf = (s: string) => Buffer.from(s.replace(/\n/g, '\r\n'));
const options = `OPTIONS sip:bob@example.com SIP/2.0
v: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKabc;rport, SIP/2.0/TCP [2001:db8::1]:5061;branch=z9hG4bKdef
f: "Alice" <sip:alice@example.com>;tag=a1
t: <sip:bob@example.com>
i: call-1@example.com
CSeq: 7 OPTIONS
Max-Forwards: 70
Timestamp: 54.2
k: path, outbound
Supported: timer
Content-Length: 0

`;

function parseRequest(text: string): SipRequest {
  const r = parseMessage(crlf(text));
  if (!r.ok) throw new Error(r.error.reason);
  if (r.message.kind !== 'request') throw new Error('not a request');
  return r.message;
}

test('leading CRLFs are skipped and compact forms fill the typed fields', (t) => {
  const r = parseMessage(Buffer.concat([Buffer.from('\r\n\r\n'), crlf(options)]));
  if (!r.ok) return t.fail(r.error.reason);
  t.is(r.message.via.length, 2);
  t.is(r.message.via[1]?.host, '[2001:db8::1]');
  t.is(r.message.via[1]?.port, 5061);
  t.is(r.message.from.displayName, 'Alice');
  t.is(r.message.callId, 'call-1@example.com');
  t.deepEqual(getHeaders(r.message, 'supported'), ['path, outbound', 'timer']);
});

test('body is cut to Content-Length; absent Content-Length takes the rest', (t) => {
  const base = options.replace('Content-Length: 0\n', 'Content-Length: 3\n');
  const r = parseMessage(Buffer.concat([crlf(base), Buffer.from('abcdef')]));
  t.true(r.ok && r.message.body.toString() === 'abc');
  const r2 = parseMessage(
    Buffer.concat([crlf(options.replace('Content-Length: 0\n', '')), Buffer.from('xyz')]),
  );
  t.true(r2.ok && r2.message.body.toString() === 'xyz');
});

test('scalar and structure errors carry a status and a reason naming the fault', (t) => {
  const cases: Array<[string, string, number, RegExp]> = [
    ['CSeq: 7 OPTIONS', 'CSeq: 2147483648 OPTIONS', 400, /CSeq.*range/],
    ['Max-Forwards: 70', 'Max-Forwards: 256', 400, /Max-Forwards/],
    ['i: call-1@example.com\n', '', 400, /Missing Call-ID/],
    ['Max-Forwards: 70', 'Max-Forwards: 70\nMax-Forwards: 69', 400, /Multiple Max-Forwards/],
    ['SIP/2.0\n', 'SIP/3.0\n', 505, /Version/],
  ];
  for (const [from, to, status, reason] of cases) {
    const r = parseMessage(crlf(options.replace(from, to)));
    if (r.ok) return t.fail(`${to} parsed`);
    t.is(r.error.status, status);
    t.regex(r.error.reason, reason);
  }
  const big = parseMessage(Buffer.alloc(70_000, 'a'));
  t.true(!big.ok && big.error.status === 513);
  const resp = parseMessage(
    crlf(
      'SIP/2.0 099 Odd\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\nf: <sip:a@b>;tag=1\nt: <sip:a@b>\ni: x\nCSeq: 1 OPTIONS\n\n',
    ),
  );
  t.true(!resp.ok && !resp.error.isRequest);
});

test('Contact * is a wildcard and may not be mixed with addresses', (t) => {
  const reg = options
    .replace(/OPTIONS/g, 'REGISTER')
    .replace('Timestamp: 54.2', 'Contact: *\nExpires: 0');
  const r = parseRequest(reg);
  t.true(r.contactWildcard);
  t.is(r.contact.length, 0);
  t.regex(serializeMessage(r).toString(), /\r\nContact: \*\r\n/);
  const mixed = parseMessage(crlf(reg.replace('Contact: *', 'Contact: *\nContact: <sip:a@b>')));
  t.false(mixed.ok);
});

test('serialize computes Content-Length and round-trips the typed values', (t) => {
  const r = parseRequest(options);
  r.body = Buffer.from('hello');
  const wire = serializeMessage(r);
  t.regex(wire.toString(), /\r\nContent-Length: 5\r\n\r\nhello$/);
  const again = parseMessage(wire);
  if (!again.ok) return t.fail(again.error.reason);
  t.deepEqual(again.message, r);
});

test('createResponse copies Via/From/Call-ID/CSeq, tags To, echoes Timestamp on 100 (RFC 3261 §8.2.6)', (t) => {
  const r = parseRequest(options);
  const ids = sequentialIdGenerator();
  const ok = createResponse(r, 200, undefined, { ids });
  t.is(ok.reason, 'OK');
  t.deepEqual(ok.via, r.via);
  t.is(ok.to.params.tag, 'tag-1');
  t.deepEqual(ok.cseq, r.cseq);
  t.is(getHeader(ok, 'timestamp'), undefined);
  const trying = createResponse(r, 100);
  t.is(trying.to.params.tag, undefined);
  t.is(getHeader(trying, 'timestamp'), '54.2');
  t.is(createResponse(r, 486, 'Busy', { toTag: 'x' }).to.params.tag, 'x');
});

test('uriEquals follows RFC 3261 §19.1.4', (t) => {
  const eq = (a: string, b: string) => uriEquals(parseUri(a)!, parseUri(b)!);
  t.true(eq('sip:%61lice@atlanta.com;transport=TCP', 'sip:alice@AtLanTa.CoM;Transport=tcp'));
  t.false(eq('SIP:ALICE@AtLanTa.CoM;Transport=udp', 'sip:alice@AtLanTa.CoM;Transport=UDP'));
  t.false(eq('sip:bob@biloxi.com', 'sip:bob@biloxi.com:5060'));
  t.true(eq('sip:carol@chicago.com;newparam=5', 'sip:carol@chicago.com;security=on'));
  t.false(eq('sip:bob@biloxi.com;transport=udp', 'sip:bob@biloxi.com'));
  t.true(eq('tel:+1-201-555-0123', 'tel:+12015550123'));
});

test('parseUri handles tel, IPv6 and unknown schemes; formatUri writes them back', (t) => {
  t.deepEqual(parseUri('tel:+81-3-1234-5678;phone-context=example.com'), {
    scheme: 'tel',
    number: '+81-3-1234-5678',
    params: { 'phone-context': 'example.com' },
  });
  const v6 = parseUri('sips:[2001:db8::10]:5061;transport=tls');
  t.is(v6 && formatUri(v6), 'sips:[2001:db8::10]:5061;transport=tls');
  t.deepEqual(parseUri('urn:service:sos'), { scheme: 'urn', value: 'service:sos' });
  t.is(parseUri('sip:bob@exa mple.com'), undefined);
  t.is(parseUri('no-colon'), undefined);
});

test('name-addr lists split on commas outside quotes and brackets', (t) => {
  const list = parseNameAddrList('"Doe, John" <sip:j,x@a.com;x=1>;q=0.5, sip:k@b.com;expires=60');
  t.is(list?.length, 2);
  t.is(list?.[0]?.displayName, 'Doe, John');
  t.is(list?.[1]?.params.expires, '60');
  t.is(list?.[0] && formatNameAddr(list[0]), '"Doe, John" <sip:j,x@a.com;x=1>;q=0.5');
});

test('parseVia reads sent-protocol, sent-by and rport', (t) => {
  const v = parseVia('SIP/2.0/ws df7jal23ls0d.invalid;rport;branch=z9hG4bKnashds7');
  t.is(v?.transport, 'WS');
  t.is(v?.params.rport, null);
  t.is(parseVia('SIP/2.0/UDP host:99999'), undefined);
});

test('header helpers ignore case and know compact forms', (t) => {
  const h: HeaderField[] = [
    { name: 'k', value: 'a' },
    { name: 'X-One', value: '1' },
    { name: 'SUPPORTED', value: 'b' },
  ];
  t.deepEqual(getHeaders(h, 'Supported'), ['a', 'b']);
  setHeader(h, 'supported', 'c');
  t.deepEqual(h, [
    { name: 'supported', value: 'c' },
    { name: 'X-One', value: '1' },
  ]);
  addHeader({ headers: h }, 'x-one', '2');
  t.is(removeHeader(h, 'X-ONE'), 2);
  t.is(getHeader(h, 'x-one'), undefined);
});

test('parseAuthParams unquotes values and lower-cases names', (t) => {
  const a = parseAuthParams(
    'Digest username="bob", Realm="biloxi.com", nonce="dcd98b,7102dd", uri="sip:bob@biloxi.com", qop=auth, nc=00000001, response="6629"',
  );
  t.is(a?.scheme, 'Digest');
  t.is(a?.params.realm, 'biloxi.com');
  t.is(a?.params.nonce, 'dcd98b,7102dd');
  t.is(a?.params.qop, 'auth');
  t.is(
    parseAuthParams('Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==')?.token68,
    'QWxhZGRpbjpvcGVuIHNlc2FtZQ==',
  );
  t.is(parseAuthParams(''), undefined);
});

test('id generators: branches carry the magic cookie', (t) => {
  const ids = sequentialIdGenerator('t');
  t.true(ids.branch().startsWith('z9hG4bK'));
  t.is(ids.callId('host'), 'tcall-2@host');
});

test('a request without From, To and Call-ID still gets its error status with Via and CSeq copied', (t) => {
  const raw = Buffer.from(
    'OPTIONS sip:x@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h.example.com;branch=z9hG4bKa\r\nCSeq: 7 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n',
  );
  const parsed = parseMessage(raw);
  if (parsed.ok) return t.fail('should not parse');
  t.is(createResponseToUnparsed(parsed.error), undefined);
  t.is(
    formatRawErrorResponse(parsed.error)?.toString(),
    `SIP/2.0 400 ${parsed.error.reason}\r\nVia: SIP/2.0/UDP h.example.com;branch=z9hG4bKa\r\nCSeq: 7 OPTIONS\r\nContent-Length: 0\r\n\r\n`,
  );
});

test('no raw error response without a Via, or for a response', (t) => {
  const noVia = parseMessage(
    Buffer.from('OPTIONS sip:x@example.com SIP/2.0\r\nCSeq: 7 OPTIONS\r\n\r\n'),
  );
  if (noVia.ok) return t.fail('should not parse');
  t.is(formatRawErrorResponse(noVia.error), undefined);
  const response = parseMessage(
    Buffer.from('SIP/2.0 999999 Odd\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKb\r\n\r\n'),
  );
  if (response.ok) return t.fail('should not parse');
  t.is(formatRawErrorResponse(response.error), undefined);
});
