// One test per RFC 4475 §3 message: the parsed values the RFC calls out, or the parse error.
import test from 'ava';
import type { ExecutionContext } from 'ava';
import {
  createResponseToUnparsed,
  getHeader,
  getHeaders,
  getTokenList,
  isSipUri,
  parseAuthParams,
  parseMessage,
  parseUri,
  serializeMessage,
  unescape,
  uriEquals,
  type SipMessage,
  type SipRequest,
  type SipResponse,
  type SipUri,
} from '../../src/message/index.ts';
import { readVector, rfc4475Vectors } from '../vectors/rfc4475/index.ts';

type Check = (t: ExecutionContext, m: SipMessage) => void;

function req(t: ExecutionContext, m: SipMessage): SipRequest {
  if (m.kind !== 'request') t.fail('expected a request');
  return m as SipRequest;
}
function res(t: ExecutionContext, m: SipMessage): SipResponse {
  if (m.kind !== 'response') t.fail('expected a response');
  return m as SipResponse;
}
function sip(t: ExecutionContext, u: unknown): SipUri {
  const uri = u as SipUri;
  t.true(isSipUri(uri), 'expected a SIP URI');
  return uri;
}

const valid: Record<string, Check> = {
  wsinv(t, m) {
    const r = req(t, m);
    t.is(r.method, 'INVITE');
    t.deepEqual(sip(t, r.uri).params, { unknownparam: null });
    t.is(r.to.params.tag, '1918181833n');
    t.is(r.from.displayName, 'J Rosenberg \\"');
    t.is(r.from.params.tag, '98asjd8');
    t.is(r.maxForwards, 68);
    t.deepEqual(r.cseq, { seq: 9, method: 'INVITE' });
    t.deepEqual(
      r.via.map((v) => [v.transport, v.host, v.params.branch]),
      [
        ['UDP', '192.0.2.2', '390skdjuw'],
        ['TCP', 'spindle.example.com', 'z9hG4bK9ikj8'],
        ['UDP', '192.168.255.111', 'z9hG4bK30239'],
      ],
    );
    t.is(getHeader(r, 'subject'), '');
    t.is(getHeader(r, 'NewFangledHeader'), 'newfangled value continued newfangled value');
    t.is(getHeader(r, 'unknownheaderwithunusualvalue'), ';;,,;;,;');
    t.is(r.route.length, 1);
    t.deepEqual(sip(t, r.route[0]?.uri).params, {
      lr: null,
      unknownwith: 'value',
      'unknown-no-value': null,
    });
    t.is(r.contact[0]?.displayName, 'Quoted string ""');
    t.deepEqual(r.contact[0]?.params, { newparam: 'newvalue', secondparam: null, q: '0.33' });
    t.is(r.body.length, 150);
  },
  intmeth(t, m) {
    const r = req(t, m);
    t.is(r.method, "!interesting-Method0123456789_*+`.%indeed'~");
    const u = sip(t, r.uri);
    t.is(u.user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
    t.is(u.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
    t.is(u.host, 'example.com');
    t.is(r.via[0]?.params.branch, "z9hG4bK-.!%66*_+`'~");
    t.is(r.to.displayName, 'BEL:\x07 NUL:\x00 DEL:\x7f');
    t.is(r.from.displayName, "token1~` token2'+_ token3*%!.-");
    t.is(r.from.params["fromparam''~+*_!.-%"], '"работающий"');
    t.is(r.from.params.tag, "_token~1'+`*%!-.");
    t.is(r.callId, 'intmeth.word%ZK-!.*_+\'@word`~)(><:\\/"][?}{');
    t.is(r.maxForwards, 255);
    t.is(getHeader(r, "extensionHeader-!.%*+_`'~"), '\uFEFF大停電');
  },
  esc01(t, m) {
    const r = req(t, m);
    const u = sip(t, r.uri);
    t.is(unescape(u.user ?? ''), 'sips:user@example.com');
    t.is(u.host, 'example.net');
    t.true(uriEquals(r.to.uri, parseUri('sip:user@example.com')!));
    t.is(unescape(sip(t, r.from.uri).user ?? ''), 'I have spaces');
    t.is(r.callId, 'esc01.239409asdfakjkn23onasd0-3234');
    t.is(getHeader(r, 'content-type'), 'application/sdp');
    const c = sip(t, r.contact[0]?.uri);
    t.is(unescape(c.user ?? ''), 'caller');
    t.deepEqual(c.params, { '%6c%72': null, 'n%61me': 'v%61lue%25%34%31' });
    // not recursively unescaped: value%41, not valueA (RFC 4475 §3.1.1.3)
    t.is(unescape(c.params['n%61me'] ?? ''), 'value%41');
  },
  escnull(t, m) {
    const r = req(t, m);
    t.is(unescape(sip(t, r.to.uri).user ?? ''), 'null-\x00-null');
    t.is(r.contact.length, 2);
    t.is(unescape(sip(t, r.contact[0]?.uri).user ?? ''), '\x00');
    t.is(unescape(sip(t, r.contact[1]?.uri).user ?? ''), '\x00\x00');
    t.false(uriEquals(r.contact[0]!.uri, r.contact[1]!.uri));
  },
  esc02(t, m) {
    const r = req(t, m);
    t.is(r.method, 'RE%47IST%45R');
    t.not(r.method, 'REGISTER');
    t.is(r.to.displayName, '%Z%45');
    t.is(r.contact.length, 2);
    t.is(getHeader(r, 'C%6Fntact'), '<sip:alias2@host2.example.com>');
    t.is(r.via[0]?.params.branch, 'z9hG4bK209%fzsnel234');
  },
  lwsdisp(t, m) {
    t.is(req(t, m).from.displayName, 'caller');
    t.is(m.from.params.tag, '323');
  },
  longreq(t, m) {
    const r = req(t, m);
    t.is(r.via.length, 34);
    t.is(r.via[0]?.host, 'sip33.example.com');
    t.is(r.via[33]?.host, 'host.example.com');
    t.is(r.via[33]?.params.received, '192.0.2.5');
    t.is(r.via[33]?.params.branch, `very${'long'.repeat(50)}branchvalue`);
    t.is(r.to.displayName, `I have a user name of ${'extreme'.repeat(10)} proportion`);
    t.is(sip(t, r.to.uri).port, 6000);
    t.is(Object.keys(sip(t, r.to.uri).params).length, 3);
    t.is(r.from.params.tag, `12${'982'.repeat(50)}424`);
    t.is(r.callId, `longreq.one${'really'.repeat(20)}longcallid`);
    t.is(r.body.length, 150);
  },
  dblreq(t, m) {
    const r = req(t, m);
    t.is(r.method, 'REGISTER');
    t.is(r.body.length, 0);
    t.is(r.contact.length, 1);
  },
  semiuri(t, m) {
    const u = sip(t, req(t, m).uri);
    t.is(unescape(u.user ?? ''), 'user;par=u@example.net');
    t.is(u.host, 'example.com');
    t.deepEqual(u.params, {});
    t.deepEqual(getTokenList(m, 'accept'), [
      'application/sdp',
      'application/pkcs7-mime',
      'multipart/mixed',
      'multipart/signed',
      'message/sip',
      'message/sipfrag',
    ]);
  },
  transports(t, m) {
    t.deepEqual(
      m.via.map((v) => v.transport),
      ['UDP', 'SCTP', 'TLS', 'UNKNOWN', 'TCP'],
    );
    t.is(m.callId, 'transports.kijh4akdnaqjkwendsasfdj');
  },
  mpart01(t, m) {
    const r = req(t, m);
    t.is(r.method, 'MESSAGE');
    t.is(r.body.length, 553);
    t.true(r.body.includes(0x00));
    t.is(r.via[0]?.params.rport, null);
    t.is(r.via[0]?.port, 5070);
    t.is(getHeader(r, 'content-type'), 'multipart/mixed;boundary=7a9cbec02ceef655');
  },
  unreason(t, m) {
    const r = res(t, m);
    t.is(r.status, 200);
    t.is(r.reason, '= 2**3 * 5**2 но сто девяносто девять - простое');
    t.is(r.body.length, 154);
  },
  noreason(t, m) {
    const r = res(t, m);
    t.is(r.status, 100);
    t.is(r.reason, '');
  },
  baddate(t, m) {
    t.is(getHeader(m, 'date'), 'Fri, 01 Jan 2010 16:00:00 EST');
  },
  badbranch(t, m) {
    t.is(m.via[0]?.params.branch, 'z9hG4bK');
  },
  unkscm(t, m) {
    t.deepEqual(req(t, m).uri, { scheme: 'nobodyknowsthisscheme', value: 'totallyopaquecontent' });
  },
  novelsc(t, m) {
    t.deepEqual(req(t, m).uri, { scheme: 'soap.beep', value: '//192.0.2.103:3002' });
  },
  unksm2(t, m) {
    t.deepEqual(m.to.uri, { scheme: 'isbn', value: '2983792873' });
    t.deepEqual(m.from.uri, { scheme: 'http', value: '//www.example.com' });
    t.is(m.from.params.tag, '3234233');
    t.deepEqual(m.contact[0]?.uri, { scheme: 'name', value: 'John_Smith' });
  },
  bext01(t, m) {
    t.deepEqual(getTokenList(m, 'require'), ['nothingSupportsThis', 'nothingSupportsThisEither']);
    t.deepEqual(getTokenList(m, 'proxy-require'), [
      'noProxiesSupportThis',
      'norDoAnyProxiesSupportThis',
    ]);
  },
  invut(t, m) {
    t.is(getHeader(m, 'c'), 'application/unknownformat');
    t.is(m.body.toString(), '<audio>\r\n <pcmu port="443"/>\r\n</audio>\r\n');
  },
  regaut01(t, m) {
    const auth = parseAuthParams(getHeader(m, 'authorization') ?? '');
    t.is(auth?.scheme, 'NoOneKnowsThisScheme');
    t.deepEqual(auth?.params, { 'opaque-data': 'here' });
  },
  bcast(t, m) {
    t.is(res(t, m).via.length, 2);
    t.is(m.via[1]?.host, '255.255.255.255');
  },
  zeromf(t, m) {
    t.is(req(t, m).maxForwards, 0);
  },
  cparam01(t, m) {
    t.deepEqual(m.contact[0]?.params, { unknownparam: null });
    t.deepEqual(sip(t, m.contact[0]?.uri).params, {});
  },
  cparam02(t, m) {
    t.deepEqual(m.contact[0]?.params, {});
    t.deepEqual(sip(t, m.contact[0]?.uri).params, { unknownparam: null });
  },
  regescrt(t, m) {
    t.deepEqual(sip(t, m.contact[0]?.uri).headers, { Route: '%3Csip:sip.example.com%3E' });
    t.is(unescape(sip(t, m.contact[0]?.uri).headers.Route ?? ''), '<sip:sip.example.com>');
  },
  sdp01(t, m) {
    t.deepEqual(getHeaders(m, 'accept'), ['text/nobodyKnowsThis']);
  },
  inv2543(t, m) {
    const r = req(t, m);
    t.is(r.maxForwards, undefined);
    t.is(r.via[0]?.params.branch, undefined);
    t.is(r.from.params.tag, undefined);
    t.is(sip(t, r.recordRoute[0]?.uri).params.maddr, 'ss1.example.com');
    // addr-spec form: ;user=phone is a To header parameter (RFC 3261 §20.10)
    t.is(r.to.params.user, 'phone');
    t.is(r.body.length, 105);
  },
};

const invalidReasons: Record<string, RegExp> = {
  badinv01: /Via/,
  clerr: /Content-Length/,
  ncl: /Content-Length/,
  scalar02: /CSeq.*range/,
  scalarlg: /CSeq/,
  quotbal: /To/,
  ltgtruri: /Request-URI/,
  lwsruri: /Request-Line/,
  lwsstart: /Request-Line/,
  trws: /Request-Line/,
  escruri: /Request-URI.*headers/,
  regbadct: /Contact/,
  badaspec: /To/,
  baddn: /From|To/,
  badvers: /Version/,
  mismatch01: /method mismatch/,
  mismatch02: /method mismatch/,
  bigcode: /status code/,
  insuf: /Missing/,
  multi01: /Multiple/,
  mcl01: /Multiple Content-Length/,
};

for (const vec of rfc4475Vectors) {
  test(`RFC 4475 §${vec.section} ${vec.name}`, (t) => {
    const result = parseMessage(readVector(vec));
    if (vec.parses) {
      if (!result.ok) return t.fail(`${vec.name}: ${result.error.reason}`);
      t.is(result.message.kind, vec.kind);
      const check = valid[vec.name];
      if (check) check(t, result.message);
      else t.pass();
      // parse → serialise → parse keeps the typed values
      const again = parseMessage(serializeMessage(result.message));
      if (!again.ok) return t.fail(`re-parse: ${again.error.reason}`);
      t.deepEqual(again.message, result.message);
      return;
    }
    if (result.ok) return t.fail(`${vec.name} parsed but must not`);
    t.is(result.error.isRequest, vec.kind === 'request');
    t.regex(result.error.reason, invalidReasons[vec.name] ?? /./);
    if (vec.kind === 'request') {
      t.is(result.error.status, vec.expectedResponse as number);
      t.true(result.error.headers.length > 0);
    }
    // what the transport will send back, statelessly
    const reply = createResponseToUnparsed(result.error);
    if (vec.kind === 'response') t.is(reply, undefined);
    else if (vec.name === 'insuf' || vec.name === 'multi01')
      t.is(reply, undefined, 'no usable From/To/Call-ID');
    else {
      t.truthy(reply, 'a stateless error response can be built');
      t.is(reply?.status, vec.expectedResponse as number);
    }
  });
}

test('scalar02: the 400 echoes the out-of-range CSeq verbatim', (t) => {
  const vec = rfc4475Vectors.find((v) => v.name === 'scalar02')!;
  const result = parseMessage(readVector(vec));
  if (result.ok) return t.fail();
  const reply = createResponseToUnparsed(result.error)!;
  t.regex(serializeMessage(reply).toString(), /\r\nCSeq: 36893488147419103232 REGISTER\r\n/);
});

test('table covers every .dat file and every RFC 4475 §3 subsection once', (t) => {
  const names = new Set(rfc4475Vectors.map((v) => v.name));
  t.is(names.size, 49);
  t.is(new Set(rfc4475Vectors.map((v) => v.section)).size, 49);
});
