// Parser throughput on one core: npx tsx bench/parser.bench.ts
import { parseMessage, serializeMessage } from '../packages/sip/src/message/index.ts';

const crlf = (s: string) => Buffer.from(s.replace(/\n/g, '\r\n'));

const register = crlf(`REGISTER sip:demo.example.com SIP/2.0
Via: SIP/2.0/UDP 192.0.2.10:5060;rport;branch=z9hG4bK-524287-1---ab12cd34ef56
Max-Forwards: 70
Contact: <sip:1001@192.0.2.10:5060;rinstance=7f3a1b2c;transport=UDP>;expires=3600
To: <sip:1001@demo.example.com>
From: <sip:1001@demo.example.com>;tag=8c7e5f21
Call-ID: 9bKx2mQ7aZ4tLw1nR5vY8cE3
CSeq: 2 REGISTER
Expires: 3600
Allow: INVITE, ACK, CANCEL, BYE, NOTIFY, REFER, MESSAGE, OPTIONS, INFO, SUBSCRIBE
Supported: replaces, norefersub, extended-refer, timer, outbound, path
User-Agent: Zoiper rv2.10.20.3
Authorization: Digest username="1001",realm="demo.example.com",nonce="ZmFrZW5vbmNlLTE3MzYwNjQwMDA=",uri="sip:demo.example.com",response="6629fae49393a05397450978507c4ef1",cnonce="0a4f113b",nc=00000001,qop=auth,algorithm=MD5
Content-Length: 0

`);

const sdp = crlf(`v=0
o=Z 1736064000 1 IN IP4 192.0.2.10
s=Z
c=IN IP4 192.0.2.10
t=0 0
m=audio 8000 RTP/AVP 0 8 101
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-16
a=ptime:20
a=sendrecv
`);
const invite = Buffer.concat([
  crlf(`INVITE sip:+4930123456@demo.example.com SIP/2.0
Via: SIP/2.0/UDP 192.0.2.10:5060;rport;branch=z9hG4bK-524287-1---77aa88bb99cc
Max-Forwards: 70
Contact: <sip:1001@192.0.2.10:5060;transport=UDP>
To: <sip:+4930123456@demo.example.com>
From: "Alice" <sip:1001@demo.example.com>;tag=4d2f9a1e
Call-ID: Qx8n3LpW1zR7tK5vM2cY9aB4
CSeq: 1 INVITE
Allow: INVITE, ACK, CANCEL, BYE, NOTIFY, REFER, MESSAGE, OPTIONS, INFO, SUBSCRIBE
Content-Type: application/sdp
Supported: replaces, timer
User-Agent: Zoiper rv2.10.20.3
Content-Length: ${sdp.length}

`),
  sdp,
]);

function rate(name: string, fn: () => void): void {
  for (let i = 0; i < 20_000; i++) fn(); // warm up the JIT
  const n = 200_000;
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(
    `${name.padEnd(34)} ${Math.round(n / seconds)
      .toLocaleString('en-US')
      .padStart(10)} msg/s  ${((seconds / n) * 1e6).toFixed(2)} µs/msg\n`,
  );
}

for (const [name, buf] of [
  ['REGISTER (digest auth)', register],
  ['INVITE with SDP', invite],
] as const) {
  const first = parseMessage(buf);
  if (!first.ok) throw new Error(`${name} does not parse: ${first.error.reason}`);
  rate(`parse ${name}`, () => {
    parseMessage(buf);
  });
  rate(`parse+serialize ${name}`, () => {
    const r = parseMessage(buf);
    if (r.ok) serializeMessage(r.message);
  });
}
