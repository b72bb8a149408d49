import test from 'ava';
import {
  StreamFramer,
  readContentLength,
  type FramerOutput,
} from '../../src/transport/stream-framer.ts';

const msg = (body: string, extra = ''): string =>
  `OPTIONS sip:a@example.com SIP/2.0\r\nCall-ID: x\r\n${extra}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

const framer = (): StreamFramer => new StreamFramer({ maxMessageSize: 4096 });
const texts = (out: FramerOutput[]): string[] =>
  out.map((o) =>
    o.kind === 'message'
      ? o.data.toString()
      : o.kind === 'ping'
        ? 'PING'
        : `ERR ${o.status} ${o.reason}`,
  );

test('a message split into single bytes comes out once, whole', (t) => {
  const f = framer();
  const m = msg('hello');
  const out: FramerOutput[] = [];
  for (const byte of Buffer.from(m)) out.push(...f.push(Buffer.from([byte])));
  t.deepEqual(texts(out), [m]);
});

test('several messages in one chunk come out in order', (t) => {
  const a = msg('one');
  const b = msg('');
  const c = msg('three!');
  t.deepEqual(texts(framer().push(Buffer.from(a + b + c))), [a, b, c]);
});

test('a chunk ending inside a body waits for the rest', (t) => {
  const f = framer();
  const m = msg('0123456789');
  t.deepEqual(f.push(Buffer.from(m.slice(0, -4))), []);
  t.deepEqual(texts(f.push(Buffer.from(m.slice(-4) + m.slice(0, 10)))), [m]);
});

test('the compact form l counts as Content-Length', (t) => {
  const m = 'OPTIONS sip:a@b SIP/2.0\r\nl: 2\r\n\r\nok';
  t.deepEqual(texts(framer().push(Buffer.from(m))), [m]);
});

test('a double CRLF between messages is a ping, not a message (RFC 5626 §3.5.1)', (t) => {
  const m = msg('x');
  t.deepEqual(texts(framer().push(Buffer.from(`\r\n\r\n${m}\r\n\r\n`))), ['PING', m, 'PING']);
});

test('a ping split across chunks is still one ping', (t) => {
  const f = framer();
  t.deepEqual(f.push(Buffer.from('\r\n')), []);
  t.deepEqual(texts(f.push(Buffer.from('\r\n'))), ['PING']);
});

test('a single CRLF (a pong) before a message is skipped', (t) => {
  const m = msg('');
  t.deepEqual(texts(framer().push(Buffer.from(`\r\n${m}`))), [m]);
});

test('a missing Content-Length is an error with 400 and the header section', (t) => {
  const head = 'OPTIONS sip:a@b SIP/2.0\r\nCall-ID: x\r\n\r\n';
  const out = framer().push(Buffer.from(head + 'trailing'));
  t.is(out.length, 1);
  const [err] = out;
  if (err?.kind !== 'error') return t.fail();
  t.is(err.status, 400);
  t.is(err.reason, 'Missing Content-Length');
  t.is(err.head?.toString(), head);
});

test('after an error the framer yields nothing more', (t) => {
  const f = framer();
  t.is(
    f.push(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nContent-Length: x1\r\n\r\n'))[0]?.kind,
    'error',
  );
  t.deepEqual(f.push(Buffer.from(msg('fine'))), []);
});

test('a message larger than the maximum is refused with 513', (t) => {
  const f = new StreamFramer({ maxMessageSize: 100 });
  const out = f.push(Buffer.from(msg('y'.repeat(200))));
  t.like(out[0], { kind: 'error', status: 513 });
});

test('an endless header section is refused with 513', (t) => {
  const f = new StreamFramer({ maxMessageSize: 100 });
  t.like(f.push(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\n' + 'X: y\r\n'.repeat(30)))[0], {
    kind: 'error',
    status: 513,
  });
});

const lengths: Array<[string, ReturnType<typeof readContentLength>]> = [
  ['INVITE x SIP/2.0\r\nContent-Length: 12\r\n\r\n', { ok: true, length: 12 }],
  ['INVITE x SIP/2.0\r\ncontent-length:   7  \r\n\r\n', { ok: true, length: 7 }],
  ['INVITE x SIP/2.0\r\nContent-Length:\r\n 5\r\n\r\n', { ok: true, length: 5 }],
  ['INVITE x SIP/2.0\r\nContent-Length: -1\r\n\r\n', { ok: false, reason: 'Bad Content-Length' }],
  [
    'INVITE x SIP/2.0\r\nContent-Length: 1\r\nl: 2\r\n\r\n',
    { ok: false, reason: 'Conflicting Content-Length' },
  ],
  [
    'INVITE x SIP/2.0\r\nContent-Type: a/b\r\n\r\n',
    { ok: false, reason: 'Missing Content-Length' },
  ],
];
for (const [head, expected] of lengths) {
  test(`readContentLength ${JSON.stringify(head.split('\r\n').slice(1, -2).join(' | '))}`, (t) => {
    t.deepEqual(readContentLength(head), expected);
  });
}
