import test from 'ava';
import { DigestClient } from '../../src/auth/digest-client.ts';
import { parseAuthParams } from '../../src/message/headers.ts';
import { computeDigestResponse, computeHa1 } from '../../src/auth/digest.ts';
import type { HeaderField } from '../../src/message/types.ts';
import { challengeResponse, countingRandom, request } from './messages.ts';

const www = (value: string): HeaderField => ({ name: 'WWW-Authenticate', value });
const client = () =>
  new DigestClient({ username: 'alice', password: 'wonderland', random: countingRandom(0xa0) });

function params(header: HeaderField | undefined): Record<string, string> {
  return parseAuthParams(header?.value ?? '')?.params ?? {};
}

const picks: Array<[string, string[], string]> = [
  [
    'picks SHA-256 when it is offered second',
    [
      'Digest realm="r", nonce="n", algorithm=MD5, qop="auth"',
      'Digest realm="r", nonce="n", algorithm=SHA-256, qop="auth"',
    ],
    'SHA-256',
  ],
  [
    'picks SHA-256 when it is offered first',
    [
      'Digest realm="r", nonce="n", algorithm=SHA-256, qop="auth"',
      'Digest realm="r", nonce="n", algorithm=MD5, qop="auth"',
    ],
    'SHA-256',
  ],
  ['takes MD5 when no algorithm is named', ['Digest realm="r", nonce="n", qop="auth"'], 'MD5'],
  [
    'skips algorithms it does not know',
    [
      'Digest realm="r", nonce="n", algorithm=SHA-512-256, qop="auth"',
      'Digest realm="r", nonce="n", algorithm=MD5-sess, qop="auth"',
    ],
    'MD5-sess',
  ],
  [
    'keeps the server order between equally strong ones',
    [
      'Digest realm="r", nonce="n", algorithm=SHA-256-sess, qop="auth"',
      'Digest realm="r", nonce="n", algorithm=SHA-256, qop="auth"',
    ],
    'SHA-256-sess',
  ],
];

for (const [name, values, algorithm] of picks) {
  test(`client ${name}`, (t) => {
    const answer = client().answer(request(), challengeResponse(values.map(www)));
    t.true(answer.ok);
    if (answer.ok) t.is(params(answer.headers[0]).algorithm, algorithm);
  });
}

test('client builds credentials the RFC formula gives, with the injected cnonce', (t) => {
  const req = request({ uri: { scheme: 'sip', host: 'example.com', params: {}, headers: {} } });
  const answer = client().answer(
    req,
    challengeResponse([
      www(
        'Digest realm="example.com", nonce="abc", algorithm=SHA-256, qop="auth-int,auth", opaque="xyz"',
      ),
    ]),
  );
  if (!answer.ok) return t.fail();
  const [header] = answer.headers;
  t.is(header?.name, 'Authorization');
  const p = params(header);
  t.like(p, {
    username: 'alice',
    realm: 'example.com',
    nonce: 'abc',
    uri: 'sip:example.com',
    qop: 'auth',
    nc: '00000001',
    opaque: 'xyz',
  });
  t.is(p.cnonce, 'a0a1a2a3a4a5a6a7a8a9aaab');
  const expected = computeDigestResponse({
    algorithm: 'SHA-256',
    ha1: computeHa1('SHA-256', 'alice', 'example.com', 'wonderland'),
    nonce: 'abc',
    method: 'REGISTER',
    uri: 'sip:example.com',
    qop: 'auth',
    nc: '00000001',
    cnonce: p.cnonce ?? '',
  });
  t.is(p.response, expected);
});

test('client answers a 407 with Proxy-Authorization', (t) => {
  const answer = client().answer(
    request(),
    challengeResponse([{ name: 'Proxy-Authenticate', value: 'Digest realm="p", nonce="n"' }], 407),
  );
  t.true(answer.ok && answer.headers[0]?.name === 'Proxy-Authorization');
});

test('client counts requests sent with one nonce', (t) => {
  const c = client();
  const req = request();
  c.answer(req, challengeResponse([www('Digest realm="r", nonce="n", qop="auth"')]));
  t.is(params(c.authorize(req)[0]).nc, '00000002');
  t.is(params(c.authorize(req)[0]).nc, '00000003');
  c.answer(
    req,
    challengeResponse([www('Digest realm="r", nonce="fresh", qop="auth", stale=true')]),
  );
  t.is(params(c.authorize(req)[0]).nc, '00000002');
});

test('client answers every challenged realm', (t) => {
  const c = client();
  const answer = c.answer(
    request(),
    challengeResponse([www('Digest realm="a", nonce="1"'), www('Digest realm="b", nonce="2"')]),
  );
  t.deepEqual(answer.ok ? answer.headers.map((h) => params(h).realm) : [], ['a', 'b']);
});

test('client says its credentials were refused when challenged again without stale', (t) => {
  const c = client();
  const first = c.answer(request(), challengeResponse([www('Digest realm="r", nonce="1"')]));
  const stale = c.answer(
    request(),
    challengeResponse([www('Digest realm="r", nonce="2", stale=true')]),
  );
  const again = c.answer(request(), challengeResponse([www('Digest realm="r", nonce="3"')]));
  t.like(first, { ok: true, refused: false });
  t.like(stale, { ok: true, refused: false });
  t.like(again, { ok: true, refused: true });
});

const refusals: Array<[string, number, string[], string]> = [
  ['a 403', 403, [], 'not-a-challenge'],
  ['Basic only', 401, ['Basic realm="r"'], 'unsupported'],
  [
    'unknown algorithms only',
    401,
    ['Digest realm="r", nonce="n", algorithm=SHA-512-256'],
    'unsupported',
  ],
  ['unknown qop only', 401, ['Digest realm="r", nonce="n", qop="auth-conf"'], 'unsupported'],
  ['a challenge without nonce', 401, ['Digest realm="r"'], 'unsupported'],
];

for (const [name, status, values, reason] of refusals) {
  test(`client does not answer ${name}`, (t) => {
    const answer = client().answer(request(), challengeResponse(values.map(www), status));
    t.deepEqual(answer, { ok: false, reason } as typeof answer);
  });
}
