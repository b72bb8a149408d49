import test from 'ava';
import { negotiate } from '../src/index.ts';

const offer = (media: string, session = 'c=IN IP4 192.0.2.1\r\n') =>
  `v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\n${session}t=0 0\r\n${media}`;

const chosen = (body: string) => {
  const n = negotiate(body);
  return n.ok
    ? { codec: n.codec, payloadType: n.payloadType, address: n.address, port: n.port }
    : n.reason;
};

test('the first of PCMU/PCMA listed on the audio line is chosen', (t) => {
  t.deepEqual(
    chosen(offer('m=audio 4000 RTP/AVP 18 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\n')),
    {
      codec: 'PCMU',
      payloadType: 0,
      address: '192.0.2.1',
      port: 4000,
    },
  );
  t.deepEqual(chosen(offer('m=audio 4000 RTP/AVP 8 0\r\n')), {
    codec: 'PCMA',
    payloadType: 8,
    address: '192.0.2.1',
    port: 4000,
  });
  t.like(negotiate(offer('m=audio 4000 RTP/AVP 18 8\r\n')), { ok: true, codec: 'PCMA' });
});

test('rtpmap names count, dynamic numbers included, static ones without rtpmap too', (t) => {
  t.like(negotiate(offer('m=audio 4000 RTP/AVP 96 0\r\na=rtpmap:96 pcma/8000\r\n')), {
    ok: true,
    codec: 'PCMA',
    payloadType: 96,
  });
  t.like(negotiate(offer('m=audio 4000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n')), {
    ok: true,
    codec: 'PCMU',
    payloadType: 0,
  });
  t.like(negotiate(offer('m=audio 4000 RTP/AVP 97 8\r\na=rtpmap:97 PCMU/16000\r\n')), {
    ok: true,
    codec: 'PCMA',
  });
});

test('a media-level c= wins over the session-level one, which serves when it is alone', (t) => {
  t.like(negotiate(offer('m=audio 4000 RTP/AVP 0\r\nc=IN IP4 198.51.100.9\r\n')), {
    ok: true,
    address: '198.51.100.9',
  });
  t.like(negotiate(offer('m=audio 4000 RTP/AVP 0\r\nc=IN IP4 198.51.100.9\r\n', '')), {
    ok: true,
    address: '198.51.100.9',
  });
  t.like(negotiate(offer('m=audio 4000 RTP/AVP 0\r\n')), { ok: true, address: '192.0.2.1' });
});

test('the first audio line with a port is used; the answer shape keeps every line', (t) => {
  const n = negotiate(
    offer('m=audio 0 RTP/AVP 0\r\nm=video 5000 RTP/AVP 96\r\nm=audio 6000 RTP/AVP 8\r\n'),
  );
  if (!n.ok) return t.fail(n.reason);
  t.is(n.port, 6000);
  t.is(n.codec, 'PCMA');
  t.is(n.audioIndex, 2);
  t.deepEqual(
    n.mediaLines.map((m) => `${m.type} ${m.protocol} ${m.payloads}`),
    ['audio RTP/AVP 0', 'video RTP/AVP 96', 'audio RTP/AVP 8'],
  );
});

test('offers we cannot play to are refused with the reason', (t) => {
  const cases: Array<[string, string]> = [
    [
      offer('m=audio 4000 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n'),
      'audio offers neither PCMU nor PCMA (payloads 18)',
    ],
    [offer('m=audio 0 RTP/AVP 0\r\n'), 'SDP offers no audio stream with a port'],
    [offer('m=video 4000 RTP/AVP 96\r\n'), 'SDP offers no audio stream with a port'],
    [offer('m=audio 4000 RTP/SAVP 0\r\n'), 'audio protocol RTP/SAVP is not RTP/AVP'],
    [
      offer('m=audio 4000 RTP/AVP 0\r\na=sendonly\r\n'),
      'audio stream is sendonly: nothing can be played to it',
    ],
    [
      offer('m=audio 4000 RTP/AVP 0\r\na=inactive\r\n'),
      'audio stream is inactive: nothing can be played to it',
    ],
    [
      offer('m=audio 4000 RTP/AVP 0\r\n', 'c=IN IP4 0.0.0.0\r\n'),
      'connection address 0.0.0.0: the stream is on hold',
    ],
    [
      offer('m=audio 4000 RTP/AVP 0\r\n', 'c=IN IP6 2001:db8::1\r\n'),
      'connection address 2001:db8::1 is not IPv4',
    ],
    [offer('m=audio 4000 RTP/AVP 0\r\n', ''), 'm= line 1 has no connection address'],
    ['not sdp at all', 'SDP must start with v=0'],
    ['', 'SDP must start with v=0'],
  ];
  for (const [body, reason] of cases) t.deepEqual(negotiate(body), { ok: false, reason }, body);
  t.deepEqual(negotiate(Buffer.from(offer('m=audio 4000 RTP/AVP 18\r\n'))), {
    ok: false,
    reason: 'audio offers neither PCMU nor PCMA (payloads 18)',
  });
});

test('telephone-event/8000 is found when on the audio line; direction recvonly is noted', (t) => {
  t.like(
    negotiate(
      offer('m=audio 4000 RTP/AVP 8 101\r\na=rtpmap:101 telephone-event/8000\r\na=recvonly\r\n'),
    ),
    { ok: true, telephoneEvent: 101, callerSends: false },
  );
  t.like(negotiate(offer('m=audio 4000 RTP/AVP 0\r\na=rtpmap:101 telephone-event/8000\r\n')), {
    ok: true,
    telephoneEvent: undefined,
    callerSends: true,
  });
  t.like(negotiate(offer('m=audio 4000 RTP/AVP 0 102\r\na=rtpmap:102 telephone-event/16000\r\n')), {
    ok: true,
    telephoneEvent: undefined,
  });
});
