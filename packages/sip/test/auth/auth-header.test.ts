import test from 'ava';
import { formatAuthValue, parseAuthValue } from '../../src/auth/auth-header.ts';

const valid: Array<[string, string, string, Record<string, string>]> = [
  [
    'reads quoted and token values',
    'Digest username="bob", realm="biloxi.com", nc=00000001, qop=auth',
    'Digest',
    { username: 'bob', realm: 'biloxi.com', nc: '00000001', qop: 'auth' },
  ],
  ['lower-cases parameter names', 'digest REALM="a"', 'digest', { realm: 'a' }],
  [
    'tolerates spaces around = and ,',
    'Digest realm = "a" ,nonce= "b"',
    'Digest',
    { realm: 'a', nonce: 'b' },
  ],
  ['unescapes quoted pairs', 'Digest username="a\\"b\\\\c"', 'Digest', { username: 'a"b\\c' }],
  ['keeps commas inside quotes', 'Digest qop="auth,auth-int"', 'Digest', { qop: 'auth,auth-int' }],
  ['accepts a scheme alone', 'NewAuth', 'NewAuth', {}],
];

for (const [name, text, scheme, params] of valid) {
  test(`auth value ${name}`, (t) => {
    const result = parseAuthValue(text);
    t.deepEqual(result, { ok: true, value: { scheme, params } });
  });
}

const invalid: Array<[string, string]> = [
  ['an empty value', ''],
  ['an unterminated quoted string', 'Digest realm="abc'],
  ['a parameter without value', 'Digest realm'],
  ['a repeated parameter', 'Digest realm="a", realm="b"'],
  ['a missing comma', 'Digest realm="a" nonce="b"'],
];

for (const [name, text] of invalid) {
  test(`auth value refuses ${name}`, (t) => {
    t.false(parseAuthValue(text).ok);
  });
}

test('formatting escapes quotes and round-trips through the parser', (t) => {
  const text = formatAuthValue('Digest', [
    ['username', 'a"b', true],
    ['nc', '00000001', false],
  ]);
  t.is(text, 'Digest username="a\\"b", nc=00000001');
  t.deepEqual(parseAuthValue(text), {
    ok: true,
    value: { scheme: 'Digest', params: { username: 'a"b', nc: '00000001' } },
  });
});
