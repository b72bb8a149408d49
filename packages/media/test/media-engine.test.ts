import test from 'ava';
import { MediaEngine, MediaError, type AnnouncementSession } from '../src/index.ts';
import { offerTo, testPortRange } from './helpers/udp-receiver.ts';

const engine = (range: { portMin: number; portMax: number }) =>
  new MediaEngine({ bindAddress: '127.0.0.1', advertisedAddress: '192.0.2.50', ...range });

test('the answer is a send-only stream of the chosen codec on our port', async (t) => {
  const session = await engine(testPortRange(2000)).open(offerTo(40000, '8 0 101'));
  if (!session) return t.fail('no session');
  t.teardown(() => session.close());
  const lines = session.answer.toString().split('\r\n');
  t.is(lines[0], 'v=0');
  t.regex(lines[1] ?? '', /^o=- (\d+) \1 IN IP4 192\.0\.2\.50$/);
  t.deepEqual(lines.slice(2), [
    's=-',
    'c=IN IP4 192.0.2.50',
    't=0 0',
    `m=audio ${session.localPort} RTP/AVP 8`,
    'a=rtpmap:8 PCMA/8000',
    'a=ptime:20',
    'a=sendonly',
    '',
  ]);
  t.deepEqual(session.remote, { address: '127.0.0.1', port: 40000 });
});

test('other offered streams are answered with port 0', async (t) => {
  const offer = offerTo(40000, '0').replace('t=0 0\r\n', 't=0 0\r\nm=video 40002 RTP/AVP 96\r\n');
  const session = await engine(testPortRange(2000)).open(offer);
  if (!session) return t.fail('no session');
  t.teardown(() => session.close());
  t.regex(
    session.answer.toString(),
    /t=0 0\r\nm=video 0 RTP\/AVP 96\r\nm=audio \d+ RTP\/AVP 0\r\n/,
  );
});

test('two answers differ in session id', async (t) => {
  const e = engine(testPortRange(2000));
  const [a, b] = await Promise.all([e.open(offerTo(40000)), e.open(offerTo(40000))]);
  t.teardown(() => (a?.close(), b?.close()));
  const id = (s: AnnouncementSession | undefined) =>
    /^o=- (\d+)/m.exec(s?.answer.toString() ?? '')?.[1];
  t.not(id(a), id(b));
});

test('an offer without G.711 opens nothing', async (t) => {
  t.is(await engine(testPortRange(2000)).open(offerTo(40000, '18')), undefined);
  t.is(await engine(testPortRange(2000)).open('garbage'), undefined);
});

test('two engines on one range share it: every session on its own even port', async (t) => {
  const range = testPortRange(40);
  const a = engine(range);
  const b = engine(range);
  const sessions = await Promise.all(
    Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).open(offerTo(40000))),
  );
  t.teardown(() => sessions.forEach((s) => s?.close()));
  const ports = sessions.map((s) => s?.localPort ?? -1);
  t.is(new Set(ports).size, 12);
  for (const port of ports) {
    t.is(port % 2, 0);
    t.true(port >= range.portMin && port <= range.portMax, `${port}`);
  }
});

test('an exhausted range is a clear error; a closed session gives its port back', async (t) => {
  // A single even port: p (and p + 1, the odd one RTCP would take). Another test or process
  // may hold a given p, so a few are tried.
  let portMin = 0;
  let e: MediaEngine | undefined;
  let first: AnnouncementSession | undefined;
  for (let attempt = 0; attempt < 5 && !first; attempt++) {
    portMin = testPortRange(2).portMin;
    e = engine({ portMin, portMax: portMin + 1 });
    first = await e.open(offerTo(40000)).catch(() => undefined);
  }
  if (!e || !first) return t.fail('no free port found to start from');
  t.is(first.localPort, portMin);
  await t.throwsAsync(e.open(offerTo(40000)), {
    instanceOf: MediaError,
    message: `no free even UDP port for RTP in ${portMin}-${portMin + 1} on 127.0.0.1`,
  });
  first.close();
  const again = await e.open(offerTo(40000));
  t.is(again?.localPort, portMin);
  again?.close();
});

test('bad engine options are refused when constructed', (t) => {
  const base = {
    bindAddress: '127.0.0.1',
    advertisedAddress: '127.0.0.1',
    portMin: 20000,
    portMax: 20010,
  };
  t.throws(() => new MediaEngine({ ...base, portMin: 20011 }), {
    message: 'RTP port range 20011-20010 is not a range of UDP ports',
  });
  t.throws(() => new MediaEngine({ ...base, portMin: 20001, portMax: 20001 }), {
    message: 'RTP port range 20001-20001 has no even port',
  });
  t.throws(() => new MediaEngine({ ...base, advertisedAddress: 'sip.example.com' }), {
    message: 'advertisedAddress sip.example.com is not IPv4',
  });
});

test('two-way: the answer is sendrecv with the offered telephone-event number, 0-15', async (t) => {
  const offer = offerTo(40000, '0 96').replace(
    'a=rtpmap:101 telephone-event/8000',
    'a=rtpmap:96 telephone-event/8000\r\na=fmtp:96 0-16',
  );
  const session = await engine(testPortRange(2000)).open(offer, { direction: 'sendrecv' });
  if (!session) return t.fail('no session');
  t.teardown(() => session.close());
  t.is(session.direction, 'sendrecv');
  t.is(session.telephoneEvent, 96);
  t.deepEqual(session.answer.toString().split('\r\n').slice(5), [
    `m=audio ${session.localPort} RTP/AVP 0 96`,
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:96 telephone-event/8000',
    'a=fmtp:96 0-15',
    'a=ptime:20',
    'a=sendrecv',
    '',
  ]);
});

test('two-way without telephone-event offered: sendrecv, audio only', async (t) => {
  // offerTo's rtpmap for 101 is there, but 101 is not on the m= line: not offered.
  const session = await engine(testPortRange(2000)).open(offerTo(40000, '8 0'), {
    direction: 'sendrecv',
  });
  if (!session) return t.fail('no session');
  t.teardown(() => session.close());
  t.is(session.telephoneEvent, undefined);
  t.deepEqual(session.answer.toString().split('\r\n').slice(5), [
    `m=audio ${session.localPort} RTP/AVP 8`,
    'a=rtpmap:8 PCMA/8000',
    'a=ptime:20',
    'a=sendrecv',
    '',
  ]);
});

test('two-way asked of a recvonly offer: answered sendonly (RFC 3264 §6.1)', async (t) => {
  const offer = offerTo(40000).replace('a=rtpmap', 'a=recvonly\r\na=rtpmap');
  const session = await engine(testPortRange(2000)).open(offer, { direction: 'sendrecv' });
  if (!session) return t.fail('no session');
  t.teardown(() => session.close());
  t.is(session.direction, 'sendonly');
  t.regex(session.answer.toString(), /m=audio \d+ RTP\/AVP 0\r\n[^]*a=sendonly\r\n$/);
});
