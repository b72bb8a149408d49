import test from 'ava';
import { getHeaders, parseMessage, type SipRequest } from '@ipvoice/sip';
import { forwardedFromHeaders, historyHeaders } from '../../src/calls/forwarding-history.ts';

function invite(extra: string[] = []): SipRequest {
  const text = [
    'INVITE sip:0311110001@ipvoice.local SIP/2.0',
    'Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKhist',
    'From: <sip:0312345678@carrier.example>;tag=a',
    'To: <sip:0311110001@ipvoice.local>',
    'Call-ID: hist-1',
    'CSeq: 1 INVITE',
    'Max-Forwards: 70',
    ...extra,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  const parsed = parseMessage(Buffer.from(text));
  if (!parsed.ok || parsed.message.kind !== 'request') throw new Error('bad fixture');
  return parsed.message;
}

const twoSteps = [
  { from: '0311110001', to: '0311110002', reason: 'busy' as const },
  { from: '0311110002', to: '09012345678', reason: 'no-answer' as const },
];

test('Diversion lists the newest diversion first with RFC 5806 reasons and counters', (t) => {
  const fields = historyHeaders('diversion', 'ipvoice.local', invite(), '0311110001', twoSteps);
  t.deepEqual(
    fields.map((f) => `${f.name}: ${f.value}`),
    [
      'Diversion: <sip:0311110002@ipvoice.local;user=phone>;reason=no-answer;counter=2',
      'Diversion: <sip:0311110001@ipvoice.local;user=phone>;reason=user-busy;counter=1',
    ],
  );
});

test('History-Info starts at the dialled number and nests each retarget with its cause', (t) => {
  const fields = historyHeaders('history-info', 'ipvoice.local', invite(), '0311110001', twoSteps);
  const values = fields.map((f) => f.value);
  t.is(values[0], '<sip:0311110001@ipvoice.local;user=phone>;index=1');
  t.regex(
    values[1] ?? '',
    /^<sip:0311110002@ipvoice\.local;user=phone\?Reason=SIP%3Bcause%3D486>;index=1\.1;mp=1;cause=486$/,
  );
  t.regex(
    values[2] ?? '',
    /^<sip:09012345678@ipvoice\.local;user=phone\?Reason=SIP%3Bcause%3D480>;index=1\.1\.1;mp=1\.1;cause=408$/,
  );
});

test('history that arrived with the call is kept and continued', (t) => {
  const incoming = invite([
    'Diversion: <sip:0399990000@other.example>;reason=unconditional;counter=1',
    'History-Info: <sip:0399990000@other.example>;index=1, <sip:0311110001@ipvoice.local>;index=1.1;mp=1',
  ]);
  const both = historyHeaders(
    'both',
    'ipvoice.local',
    incoming,
    '0311110001',
    twoSteps.slice(0, 1),
  );
  const diversion = both.filter((f) => f.name === 'Diversion').map((f) => f.value);
  t.is(diversion.length, 2);
  t.regex(diversion[0] ?? '', /0311110001.*counter=2/);
  const history = both.filter((f) => f.name === 'History-Info').map((f) => f.value);
  t.regex(history.at(-1) ?? '', /;index=1\.1\.1;mp=1\.1;/);
});

test('the numbers a call was forwarded from are read off Diversion and History-Info, oldest first', (t) => {
  const request = invite([
    'Diversion: <sip:0311110002@ipvoice.local;user=phone>;reason=no-answer;counter=2',
    'Diversion: <sip:+81311110001@ipvoice.local;user=phone>;reason=user-busy;counter=1',
    'History-Info: <sip:0322220001@a.example>;index=1, <sip:0311110001@ipvoice.local>;index=1.1',
  ]);
  t.deepEqual(forwardedFromHeaders(request), ['0311110001', '0311110002', '0322220001']);
  t.deepEqual(forwardedFromHeaders(invite()), []);
  t.is(getHeaders(request, 'Diversion').length, 2);
});
