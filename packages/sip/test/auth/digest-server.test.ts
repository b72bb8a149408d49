import test from 'ava';
import { FakeClock } from '../../src/core/clock.ts';
import { DigestClient } from '../../src/auth/digest-client.ts';
import {
  DigestServer,
  type Credential,
  type CredentialLookup,
} from '../../src/auth/digest-server.ts';
import { computeHa1, type DigestAlgorithm, type DigestQop } from '../../src/auth/digest.ts';
import { formatAuthValue } from '../../src/auth/auth-header.ts';
import { MemoryNonceCountStore } from '../../src/auth/nonce-count-store.ts';
import type { HeaderField, SipRequest } from '../../src/message/types.ts';
import { challengeResponse, countingRandom, request, sipUri, withHeaders } from './messages.ts';

const realm = 'example.com';
const users: Record<string, Credential> = {
  alice: { password: 'wonderland' },
  bob: {
    ha1: {
      MD5: computeHa1('MD5', 'bob', realm, 'builder'),
      'SHA-256': computeHa1('SHA-256', 'bob', realm, 'builder'),
    },
  },
};
const lookup: CredentialLookup = async (username, r) => (r === realm ? users[username] : undefined);

function setup(
  options: {
    algorithms?: DigestAlgorithm[];
    qop?: DigestQop[];
    secret?: string;
    clock?: FakeClock;
  } = {},
) {
  const clock = options.clock ?? new FakeClock();
  const server = new DigestServer({
    realm,
    secret: options.secret ?? 's3cret',
    clock,
    random: countingRandom(),
    ...options,
  });
  return { clock, server };
}

/** Challenges `req`, lets a client with these credentials answer, and returns the retry. */
function answered(
  server: DigestServer,
  req: SipRequest,
  username: string,
  password: string,
  algorithms?: DigestAlgorithm[],
) {
  const client = new DigestClient({
    username,
    password,
    random: countingRandom(100),
    ...(algorithms ? { algorithms } : {}),
  });
  const answer = client.answer(req, challengeResponse(server.challenge(req)));
  if (!answer.ok) throw new Error(`client could not answer: ${answer.reason}`);
  return { client, retry: withHeaders(req, answer.headers) };
}

test('challenge offers one header per algorithm, most preferred first, with one nonce', (t) => {
  const { server } = setup();
  const headers = server.challenge(request());
  t.deepEqual(
    headers.map((h) => h.name),
    ['WWW-Authenticate', 'WWW-Authenticate'],
  );
  t.regex(
    headers[0]?.value ?? '',
    /^Digest realm="example.com", nonce="[^"]+", algorithm=SHA-256, qop="auth"$/,
  );
  t.regex(headers[1]?.value ?? '', /algorithm=MD5/);
  const nonces = headers.map((h) => /nonce="([^"]+)"/.exec(h.value)?.[1]);
  t.is(nonces[0], nonces[1]);
});

test('a proxy challenge uses Proxy-Authenticate and a stale one says stale=true', (t) => {
  const { server } = setup({ algorithms: ['MD5'] });
  const [header] = server.challenge(request(), { proxy: true, stale: true });
  t.is(header?.name, 'Proxy-Authenticate');
  t.regex(header?.value ?? '', /, stale=true$/);
});

test('two challenges carry different nonces', (t) => {
  const { server } = setup({ algorithms: ['MD5'] });
  t.not(server.challenge(request())[0]?.value, server.challenge(request())[0]?.value);
});

for (const algorithm of ['MD5', 'MD5-sess', 'SHA-256', 'SHA-256-sess'] as const) {
  test(`accepts the right password with ${algorithm}`, async (t) => {
    const { server } = setup({ algorithms: [algorithm] });
    const { retry } = answered(server, request(), 'alice', 'wonderland');
    t.deepEqual(await server.verify(retry, lookup), { ok: true, username: 'alice', algorithm });
  });

  test(`accepts a stored HA1 with ${algorithm}`, async (t) => {
    const { server } = setup({ algorithms: [algorithm] });
    const { retry } = answered(server, request(), 'bob', 'builder');
    t.deepEqual(await server.verify(retry, lookup), { ok: true, username: 'bob', algorithm });
  });
}

test('a stored HA1 without the hash asked for is refused like a wrong password', async (t) => {
  const { server } = setup({ algorithms: ['SHA-256'] });
  const only = async () => ({ ha1: { MD5: computeHa1('MD5', 'carol', realm, 'pw') } });
  const { retry } = answered(server, request(), 'carol', 'pw');
  t.deepEqual(await server.verify(retry, only), { ok: false, reason: 'invalid' });
});

test('a request without credentials is missing them', async (t) => {
  const { server } = setup();
  t.deepEqual(await server.verify(request(), lookup), { ok: false, reason: 'missing' });
});

test('credentials in another scheme count as missing (RFC 4475 §3.3.7)', async (t) => {
  const { server } = setup();
  const req = withHeaders(request(), [
    { name: 'Authorization', value: 'NoOneKnowsThisScheme opaque-data=here' },
  ]);
  t.deepEqual(await server.verify(req, lookup), { ok: false, reason: 'missing' });
});

test('credentials for another realm count as missing', async (t) => {
  const { server } = setup();
  const { retry } = answered(
    new DigestServer({ realm: 'elsewhere.net', secret: 's3cret' }),
    request(),
    'alice',
    'wonderland',
  );
  t.deepEqual(await server.verify(retry, lookup), { ok: false, reason: 'missing' });
});

test('Digest credentials that do not parse are malformed', async (t) => {
  const { server } = setup();
  const req = withHeaders(request(), [
    { name: 'Authorization', value: 'Digest username="alice, realm="example.com"' },
  ]);
  t.deepEqual(await server.verify(req, lookup), { ok: false, reason: 'malformed' });
});

test('Proxy-Authorization is read when verifying as a proxy', async (t) => {
  const { server } = setup({ algorithms: ['MD5'] });
  const req = request();
  const client = new DigestClient({ username: 'alice', password: 'wonderland' });
  const answer = client.answer(req, challengeResponse(server.challenge(req, { proxy: true }), 407));
  t.true(answer.ok && answer.headers[0]?.name === 'Proxy-Authorization');
  const retry = withHeaders(req, answer.ok ? answer.headers : []);
  t.deepEqual(await server.verify(retry, lookup), { ok: false, reason: 'missing' });
  t.like(await server.verify(retry, lookup, { proxy: true }), { ok: true });
});

test('a wrong password and an unknown user get the same answer', async (t) => {
  const { server } = setup();
  const wrong = answered(server, request(), 'alice', 'not-it').retry;
  const unknown = answered(server, request(), 'mallory', 'anything').retry;
  let lookups = 0;
  const counting: CredentialLookup = (u, r) => {
    lookups++;
    return lookup(u, r);
  };
  const a = await server.verify(wrong, counting);
  const b = await server.verify(unknown, counting);
  t.deepEqual(a, { ok: false, reason: 'invalid' });
  t.deepEqual(b, a);
  t.is(lookups, 2);
});

test('an expired nonce with the right password is stale (RFC 2617 §3.2.1)', async (t) => {
  const { server, clock } = setup({ algorithms: ['MD5'] });
  const { retry } = answered(server, request(), 'alice', 'wonderland');
  clock.advance(300_000);
  t.deepEqual(await server.verify(retry, lookup), { ok: false, reason: 'stale' });
});

test('a nonce is still good just before its lifetime ends', async (t) => {
  const { server, clock } = setup({ algorithms: ['MD5'] });
  const { retry } = answered(server, request(), 'alice', 'wonderland');
  clock.advance(299_999);
  t.like(await server.verify(retry, lookup), { ok: true });
});

test('the nonce lifetime can be set', async (t) => {
  const clock = new FakeClock();
  const server = new DigestServer({ realm, secret: 'x', clock, nonceLifetimeSeconds: 30 });
  const { retry } = answered(server, request(), 'alice', 'wonderland');
  clock.advance(30_000);
  t.deepEqual(await server.verify(retry, lookup), { ok: false, reason: 'stale' });
});

test('an expired nonce with a wrong password is invalid, not stale', async (t) => {
  const { server, clock } = setup({ algorithms: ['MD5'] });
  const { retry } = answered(server, request(), 'alice', 'guess');
  clock.advance(600_000);
  t.deepEqual(await server.verify(retry, lookup), { ok: false, reason: 'invalid' });
});

test('the same credentials sent twice are a replay', async (t) => {
  const { server } = setup();
  const { retry } = answered(server, request(), 'alice', 'wonderland');
  t.like(await server.verify(retry, lookup), { ok: true });
  t.deepEqual(await server.verify(retry, lookup), { ok: false, reason: 'replay' });
});

test('a rising nonce-count is accepted and a lower one refused', async (t) => {
  const { server } = setup();
  const req = request();
  const { client, retry: first } = answered(server, req, 'alice', 'wonderland');
  const second = withHeaders(req, client.authorize(req));
  const third = withHeaders(req, client.authorize(req));
  t.like(await server.verify(first, lookup), { ok: true });
  t.like(await server.verify(third, lookup), { ok: true });
  t.deepEqual(await server.verify(second, lookup), { ok: false, reason: 'replay' });
});

test('without qop (RFC 2069) a nonce serves only once', async (t) => {
  const { server } = setup({ algorithms: ['MD5'], qop: [] });
  const req = request();
  const { client, retry } = answered(server, req, 'alice', 'wonderland');
  t.notRegex(retry.headers[0]?.value ?? '', /qop|nc=/);
  t.like(await server.verify(retry, lookup), { ok: true });
  const again = withHeaders(req, client.authorize(req));
  t.deepEqual(await server.verify(again, lookup), { ok: false, reason: 'replay' });
});

test('SHA-256 without qop is refused', async (t) => {
  const { server } = setup({ algorithms: ['SHA-256'], qop: [] });
  const { retry } = answered(server, request(), 'alice', 'wonderland');
  t.deepEqual(await server.verify(retry, lookup), { ok: false, reason: 'unsupported' });
});

test('a digest-uri other than the Request-URI is refused (RFC 2617 §3.2.2.5)', async (t) => {
  const { server } = setup();
  const { retry } = answered(
    server,
    request({ uri: sipUri('alice', 'example.com') }),
    'alice',
    'wonderland',
  );
  const moved: SipRequest = { ...retry, uri: sipUri('bob', 'example.com') };
  t.deepEqual(await server.verify(moved, lookup), { ok: false, reason: 'uri-mismatch' });
});

test('a digest-uri written differently but naming the same URI is accepted (RFC 3261 §19.1.4)', async (t) => {
  const { server } = setup();
  const { retry } = answered(
    server,
    request({ uri: sipUri('alice', 'EXAMPLE.com', { transport: 'UDP' }) }),
    'alice',
    'wonderland',
  );
  const same: SipRequest = { ...retry, uri: sipUri('alice', 'example.com', { transport: 'udp' }) };
  t.like(await server.verify(same, lookup), { ok: true });
});

test('auth-int protects the body', async (t) => {
  const { server } = setup({ qop: ['auth-int'] });
  const req = request({ method: 'INVITE', body: 'v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n' });
  const { retry } = answered(server, req, 'alice', 'wonderland');
  t.regex(retry.headers[0]?.value ?? '', /qop=auth-int/);
  const tampered: SipRequest = {
    ...retry,
    body: Buffer.from('v=0\r\no=- 1 1 IN IP4 203.0.113.66\r\n'),
  };
  t.deepEqual(await server.verify(tampered, lookup), { ok: false, reason: 'invalid' });
  t.like(await server.verify(retry, lookup), { ok: true });
});

test('a qop the server did not offer is refused', async (t) => {
  const { server } = setup({ qop: ['auth-int'] });
  const other = setup({ qop: ['auth'] }).server;
  const { retry } = answered(other, request(), 'alice', 'wonderland');
  t.deepEqual(await server.verify(retry, lookup), { ok: false, reason: 'unsupported' });
});

test('an algorithm the server did not offer is refused', async (t) => {
  const { server } = setup({ algorithms: ['SHA-256'] });
  const md5Server = setup({ algorithms: ['MD5'] }).server;
  const { retry } = answered(md5Server, request(), 'alice', 'wonderland');
  t.deepEqual(await server.verify(retry, lookup), { ok: false, reason: 'unsupported' });
});

test('a server sharing the secret accepts the nonce; one with another secret does not', async (t) => {
  const clock = new FakeClock();
  const { server } = setup({ clock });
  const { retry } = answered(server, request(), 'alice', 'wonderland');
  const sibling = setup({ clock }).server;
  const stranger = setup({ clock, secret: 'other' }).server;
  t.deepEqual(await stranger.verify(retry, lookup), { ok: false, reason: 'bad-nonce' });
  t.like(await sibling.verify(retry, lookup), { ok: true });
});

test('a forged nonce is refused before the user is looked up', async (t) => {
  const { server } = setup({ algorithms: ['MD5'] });
  const req = request();
  const value = formatAuthValue('Digest', [
    ['username', 'alice', true],
    ['realm', realm, true],
    ['nonce', 'AAAAAZQnZsABAgMEBQYHCAkKCwwNDg8QERITFBUWFxg', true],
    ['uri', 'sip:example.com', true],
    ['response', '00000000000000000000000000000000', true],
  ]);
  let looked = false;
  const result = await server.verify(
    withHeaders(req, [{ name: 'Authorization', value }]),
    async () => {
      looked = true;
      return undefined;
    },
  );
  t.deepEqual(result, { ok: false, reason: 'bad-nonce' });
  t.false(looked);
});

const malformed: Array<[string, (h: HeaderField) => HeaderField]> = [
  ['without a response', (h) => ({ ...h, value: h.value.replace(/response="[^"]+", /, '') })],
  [
    'without a cnonce while using qop',
    (h) => ({ ...h, value: h.value.replace(/cnonce="[^"]+", /, '') }),
  ],
  [
    'with an nc that is not eight hex digits',
    (h) => ({ ...h, value: h.value.replace(/nc=\w+/, 'nc=1') }),
  ],
];

for (const [name, change] of malformed) {
  test(`credentials ${name} are malformed`, async (t) => {
    const { server } = setup();
    const { retry } = answered(server, request(), 'alice', 'wonderland');
    const [header] = retry.headers;
    if (!header) return t.fail();
    t.deepEqual(await server.verify({ ...retry, headers: [change(header)] }, lookup), {
      ok: false,
      reason: 'malformed',
    });
  });
}

test('nonce-counts go to the injected store', async (t) => {
  const clock = new FakeClock();
  const seen: Array<[string, number]> = [];
  const store = new MemoryNonceCountStore({ clock });
  const server = new DigestServer({
    realm,
    secret: 'x',
    clock,
    nonceCounts: {
      accept: (nonce, nc, expiresAt) => {
        seen.push([nonce, nc]);
        return store.accept(nonce, nc, expiresAt);
      },
    },
  });
  const { retry } = answered(server, request(), 'alice', 'wonderland');
  await server.verify(retry, lookup);
  t.is(seen.length, 1);
  t.is(seen[0]?.[1], 1);
});
