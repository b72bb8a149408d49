import test from 'ava';
import { createResponse, parseMessage } from '../../src/message/index.ts';
import type { SipRequest } from '../../src/message/types.ts';
import { createTransportLayer } from '../../src/transport/index.ts';
import { headerOf, Inbox, requestText, responseText, udpPeer } from './helpers.ts';

async function udpLayer(user: Inbox) {
  return createTransportLayer({
    listen: [{ protocol: 'UDP', address: '127.0.0.1', port: 0 }],
    user,
  });
}
function portOf(layer: { listeningPoints: readonly { port: number }[] }): number {
  return layer.listeningPoints[0]?.port ?? 0;
}

test('a UDP request comes up with received and rport stamped, and its response goes back', async (t) => {
  t.timeout(5000);
  const inbox = new Inbox();
  const layer = await udpLayer(inbox);
  const phone = await udpPeer();
  t.teardown(async () => Promise.all([layer.close(), phone.close()]));

  // Sent-by names a private address; the packet comes from 127.0.0.1.
  await phone.send(
    requestText({ via: `SIP/2.0/UDP 10.1.2.3:${phone.port};branch=z9hG4bKu1;rport` }),
    portOf(layer),
  );
  const { message, flow } = await inbox.requests.next();
  t.is(message.via[0]?.params['received'], '127.0.0.1');
  t.is(message.via[0]?.params['rport'], String(phone.port));
  t.like(flow, {
    protocol: 'UDP',
    remoteAddress: '127.0.0.1',
    remotePort: phone.port,
    localPort: portOf(layer),
  });

  await layer.sendResponse(createResponse(message, 200, 'OK'), flow);
  const reply = await phone.received.next();
  t.regex(reply.text, /^SIP\/2\.0 200 OK\r\n/);
  t.is(
    reply.port,
    portOf(layer),
    'RFC 3581 §4: the response leaves from the port the request came to',
  );
});

test('UDP response routing: rport sends to the source port, without it to the Via port (RFC 3581 §4, RFC 3261 §18.2.2)', async (t) => {
  t.timeout(5000);
  const inbox = new Inbox();
  const layer = await udpLayer(inbox);
  const source = await udpPeer(); // the socket the requests come from
  const viaPort = await udpPeer(); // the port the Via names
  t.teardown(async () => Promise.all([layer.close(), source.close(), viaPort.close()]));

  await source.send(
    requestText({
      via: `SIP/2.0/UDP 127.0.0.1:${viaPort.port};branch=z9hG4bKr1;rport`,
      callId: 'with-rport',
    }),
    portOf(layer),
  );
  const withRport = await inbox.requests.next();
  await layer.sendResponse(createResponse(withRport.message, 200, 'OK'), withRport.flow);
  t.regex((await source.received.next()).text, /Call-ID: with-rport/);

  await source.send(
    requestText({
      via: `SIP/2.0/UDP 127.0.0.1:${viaPort.port};branch=z9hG4bKr2`,
      callId: 'no-rport',
    }),
    portOf(layer),
  );
  const noRport = await inbox.requests.next();
  t.false('received' in noRport.message.via[0]!.params, 'same address as sent-by: no received');
  await layer.sendResponse(createResponse(noRport.message, 200, 'OK'), noRport.flow);
  t.regex((await viaPort.received.next()).text, /Call-ID: no-rport/);
  t.is(source.received.items.length, 0);
  t.is(viaPort.received.items.length, 0);
});

test('UDP response routing: maddr is honoured', async (t) => {
  t.timeout(5000);
  const inbox = new Inbox();
  const layer = await udpLayer(inbox);
  const source = await udpPeer();
  const other = await udpPeer();
  t.teardown(async () => Promise.all([layer.close(), source.close(), other.close()]));
  await source.send(
    requestText({
      via: `SIP/2.0/UDP 127.0.0.1:${other.port};branch=z9hG4bKm1;maddr=127.0.0.1;rport`,
    }),
    portOf(layer),
  );
  const { message, flow } = await inbox.requests.next();
  await layer.sendResponse(createResponse(message, 200, 'OK'), flow);
  t.regex((await other.received.next()).text, /^SIP\/2\.0 200/);
});

test('sendRequest over UDP fills sent-by and rport, and the matching response comes up', async (t) => {
  t.timeout(5000);
  const inbox = new Inbox();
  const layer = await udpLayer(inbox);
  const peer = await udpPeer();
  t.teardown(async () => Promise.all([layer.close(), peer.close()]));

  const parsed = parseMessage(
    Buffer.from(requestText({ via: 'SIP/2.0/UDP placeholder;branch=z9hG4bKout1' })),
  );
  if (!parsed.ok || parsed.message.kind !== 'request') return t.fail('fixture does not parse');
  const flow = await layer.sendRequest(parsed.message as SipRequest, {
    protocol: 'UDP',
    address: '127.0.0.1',
    port: peer.port,
  });
  t.like(flow, {
    protocol: 'UDP',
    remoteAddress: '127.0.0.1',
    remotePort: peer.port,
    localPort: portOf(layer),
  });

  const sent = await peer.received.next();
  const via = headerOf(sent.text, 'Via') ?? '';
  t.regex(via, new RegExp(`^SIP/2\\.0/UDP 127\\.0\\.0\\.1:${portOf(layer)};`));
  t.regex(via, /;rport(;|$)/);
  await peer.send(responseText(via), portOf(layer));
  const response = await inbox.responses.next();
  t.is(response.message.status, 200);
});

test('a response whose Via is not ours is dropped (RFC 3261 §18.1.2)', async (t) => {
  t.timeout(5000);
  const inbox = new Inbox();
  const layer = await udpLayer(inbox);
  const peer = await udpPeer();
  t.teardown(async () => Promise.all([layer.close(), peer.close()]));
  await peer.send(responseText('SIP/2.0/UDP 192.0.2.99:5060;branch=z9hG4bKx'), portOf(layer));
  // A request sent afterwards from the same socket arrives after it: by then the stray
  // response has been handled, and nothing came up.
  await peer.send(
    requestText({ via: `SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bKafter` }),
    portOf(layer),
  );
  await inbox.requests.next();
  t.is(inbox.responses.items.length, 0);
});

test('a malformed UDP request is answered 400 with the reason; a malformed response gets silence', async (t) => {
  t.timeout(5000);
  const inbox = new Inbox();
  const layer = await udpLayer(inbox);
  const peer = await udpPeer();
  t.teardown(async () => Promise.all([layer.close(), peer.close()]));

  const broken = requestText({
    via: `SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bKbad`,
  }).replace('Max-Forwards: 70', 'Max-Forwards: ten');
  const expected = parseMessage(Buffer.from(broken));
  if (expected.ok) return t.fail('fixture should not parse');
  await peer.send(broken, portOf(layer));
  const reply = await peer.received.next();
  t.is(headerOf(reply.text, 'Call-ID'), 'call-1@test');
  t.is(reply.text.split('\r\n')[0], `SIP/2.0 ${expected.error.status} ${expected.error.reason}`);
  t.is(expected.error.status, 400);

  await peer.send(
    responseText(`SIP/2.0/UDP 127.0.0.1:${portOf(layer)};branch=z9hG4bKr`).replace(
      'CSeq: 1 OPTIONS',
      'CSeq: x',
    ),
    portOf(layer),
  );
  await peer.send(
    requestText({ via: `SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bKafter` }),
    portOf(layer),
  );
  await inbox.requests.next();
  t.is(peer.received.items.length, 0, 'no answer to the broken response');
  t.is(inbox.responses.items.length, 0);
});

test('a transport user that throws does not break the transport', async (t) => {
  t.timeout(5000);
  const inbox = new Inbox();
  let calls = 0;
  const layer = await createTransportLayer({
    listen: [{ protocol: 'UDP', address: '127.0.0.1', port: 0 }],
    user: {
      onRequest: (incoming) => {
        calls += 1;
        if (calls === 1) throw new Error('boom');
        inbox.onRequest(incoming);
      },
      onResponse: () => {},
    },
  });
  const peer = await udpPeer();
  t.teardown(async () => Promise.all([layer.close(), peer.close()]));
  await peer.send(
    requestText({ via: `SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bK1`, callId: 'first' }),
    portOf(layer),
  );
  await peer.send(
    requestText({ via: `SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bK2`, callId: 'second' }),
    portOf(layer),
  );
  t.is((await inbox.requests.next()).message.callId, 'second');
});
