import test from 'ava';
import { createHash } from 'node:crypto';
import { computeDigestResponse, computeHa1, parseAlgorithm } from '../../src/auth/digest.ts';

const md5 = (s: string | Buffer) => createHash('md5').update(s).digest('hex');
const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

test('computes the RFC 2617 §3.5 example (MD5, qop=auth)', (t) => {
  const response = computeDigestResponse({
    algorithm: 'MD5',
    ha1: computeHa1('MD5', 'Mufasa', 'testrealm@host.com', 'Circle Of Life'),
    nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
    method: 'GET',
    uri: '/dir/index.html',
    qop: 'auth',
    nc: '00000001',
    cnonce: '0a4f113b',
  });
  t.is(response, '6629fae49393a05397450978507c4ef1');
});

const rfc7616 = {
  ha1Input: ['Mufasa', 'http-auth@example.org', 'Circle of Life'] as const,
  nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
  cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
};

for (const [algorithm, expected] of [
  ['MD5', '8ca523f5e9506fed4657c9700eebdbec'],
  ['SHA-256', '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1'],
] as const) {
  test(`computes the RFC 7616 §3.9.1 example with ${algorithm}`, (t) => {
    const response = computeDigestResponse({
      algorithm,
      ha1: computeHa1(algorithm, ...rfc7616.ha1Input),
      nonce: rfc7616.nonce,
      method: 'GET',
      uri: '/dir/index.html',
      qop: 'auth',
      nc: '00000001',
      cnonce: rfc7616.cnonce,
    });
    t.is(response, expected);
  });
}

test('computes the RFC 2069 form when there is no qop', (t) => {
  const ha1 = md5('bob:biloxi.com:zanzibar');
  const ha2 = md5('INVITE:sip:bob@biloxi.com');
  const response = computeDigestResponse({
    algorithm: 'MD5',
    ha1,
    nonce: 'abc',
    method: 'INVITE',
    uri: 'sip:bob@biloxi.com',
  });
  t.is(response, md5(`${ha1}:abc:${ha2}`));
});

test('auth-int hashes the body into A2', (t) => {
  const ha1 = sha256('bob:biloxi.com:zanzibar');
  const body = Buffer.from('v=0\r\n');
  const ha2 = sha256(`INVITE:sip:bob@biloxi.com:${sha256(body)}`);
  const response = computeDigestResponse({
    algorithm: 'SHA-256',
    ha1,
    nonce: 'n',
    method: 'INVITE',
    uri: 'sip:bob@biloxi.com',
    qop: 'auth-int',
    nc: '00000001',
    cnonce: 'c',
    body,
  });
  t.is(response, sha256(`${ha1}:n:00000001:c:auth-int:${ha2}`));
});

for (const [algorithm, hash] of [
  ['MD5-sess', md5],
  ['SHA-256-sess', sha256],
] as const) {
  test(`${algorithm} derives the session HA1 from nonce and cnonce`, (t) => {
    const base = hash('bob:biloxi.com:zanzibar');
    const ha1 = hash(`${base}:n:c`);
    const ha2 = hash('REGISTER:sip:biloxi.com');
    const response = computeDigestResponse({
      algorithm,
      ha1: base,
      nonce: 'n',
      method: 'REGISTER',
      uri: 'sip:biloxi.com',
      qop: 'auth',
      nc: '00000001',
      cnonce: 'c',
    });
    t.is(response, hash(`${ha1}:n:00000001:c:auth:${ha2}`));
  });
}

test('algorithm names are matched case-insensitively and unknown ones refused', (t) => {
  t.is(parseAlgorithm('sha-256-SESS'), 'SHA-256-sess');
  t.is(parseAlgorithm('md5'), 'MD5');
  t.is(parseAlgorithm('SHA-512-256'), undefined);
});
