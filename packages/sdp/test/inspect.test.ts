import test from 'ava';
import { inspectSdp } from '../src/index.ts';

const offer = [
  'v=0',
  'o=- 1 1 IN IP4 192.0.2.1',
  's=-',
  'c=IN IP4 192.0.2.1',
  't=0 0',
  'm=audio 49170 RTP/AVP 0 8 101',
  'a=rtpmap:101 telephone-event/8000',
  'a=sendonly',
  '',
].join('\r\n');

test('a G.711 offer is summarised per media line, direction included', (t) => {
  const check = inspectSdp(Buffer.from(offer));
  if (!check.ok) return t.fail(check.reason);
  t.deepEqual(check.media, [
    { type: 'audio', port: 49170, protocol: 'RTP/AVP', payloads: '0 8 101', direction: 'sendonly' },
  ]);
});

test('a T.38 image line is accepted as it is (fax re-INVITE)', (t) => {
  const fax = offer.replace('m=audio 49170 RTP/AVP 0 8 101', 'm=image 49172 udptl t38');
  const check = inspectSdp(fax);
  t.true(check.ok);
  if (check.ok) t.is(check.media[0]?.type, 'image');
});

test('bodies no device could answer are refused with the fault named', (t) => {
  const cases: Array<[string, string]> = [
    ['hello', 'SDP must start with v=0'],
    ['v=0\r\ns=-\r\n', 'SDP has no o= line'],
    ['v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\n', 'SDP has no m= line'],
    [offer.replace('c=IN IP4 192.0.2.1\r\n', ''), 'm= line 1 has no connection address'],
  ];
  for (const [body, reason] of cases) t.deepEqual(inspectSdp(body), { ok: false, reason }, body);
});
