import test from 'ava';
import { createServer, type Socket } from 'node:net';
import { createResponse } from '../../src/message/index.ts';
import { FakeClock } from '../../src/core/clock.ts';
import { createTransportLayer } from '../../src/transport/index.ts';
import { headerOf, Inbox, Queue, requestText, streamPeer, tcpPeer } from './helpers.ts';

async function tcpLayer(inbox: Inbox, extra: { clock?: FakeClock; idleTimeoutMs?: number } = {}) {
  const layer = await createTransportLayer({
    listen: [{ protocol: 'TCP', address: '127.0.0.1', port: 0 }],
    user: inbox,
    ...extra,
  });
  return { layer, port: layer.listeningPoints[0]?.port ?? 0 };
}

test('a TCP response goes back on the connection the request came on; close is reported', async (t) => {
  t.timeout(5000);
  const inbox = new Inbox();
  const { layer, port } = await tcpLayer(inbox);
  t.teardown(() => layer.close());
  const phone = await tcpPeer(port);

  phone.socket.write(requestText({ via: 'SIP/2.0/TCP 10.0.0.7:5060;branch=z9hG4bKt1;rport' }));
  const { message, flow } = await inbox.requests.next();
  t.is(flow.protocol, 'TCP');
  t.truthy(flow.connectionId);
  t.is(message.via[0]?.params['received'], '127.0.0.1');
  t.is(message.via[0]?.params['rport'], String(phone.socket.localPort));

  await layer.sendResponse(createResponse(message, 200, 'OK'), flow);
  await phone.waitFor((text) => text.startsWith('SIP/2.0 200 OK\r\n'));

  phone.socket.end();
  const closed = await inbox.closed.next();
  t.is(closed.connectionId, flow.connectionId ?? 'missing');
  t.is(closed.flow.remotePort, phone.socket.localPort ?? -1);
});

test('after the request connection closes, the response opens a new one to received and the Via port (§18.2.2)', async (t) => {
  t.timeout(5000);
  const inbox = new Inbox();
  const { layer, port } = await tcpLayer(inbox);
  // The phone's own listening socket, named in its Via.
  const accepted = new Queue<Socket>();
  const phoneServer = createServer((s) => accepted.push(s));
  await new Promise<void>((resolve) => phoneServer.listen(0, '127.0.0.1', resolve));
  const phonePort = (phoneServer.address() as { port: number }).port;
  t.teardown(async () => {
    for (const s of accepted.items) s.destroy();
    await layer.close();
    await new Promise((resolve) => phoneServer.close(resolve));
  });

  const phone = await tcpPeer(port);
  phone.socket.write(
    requestText({ via: `SIP/2.0/TCP phone.invalid:${phonePort};branch=z9hG4bKt2` }),
  );
  const { message, flow } = await inbox.requests.next();
  phone.socket.destroy();
  await inbox.closed.next();

  await layer.sendResponse(createResponse(message, 180, 'Ringing'), flow);
  const back = streamPeer(await accepted.next());
  const text = await back.waitFor((s) => s.includes('\r\n\r\n'));
  t.regex(text, /^SIP\/2\.0 180 Ringing\r\n/);
  t.not(back.socket.remotePort, undefined);
  back.socket.destroy();
});

test('coalesced and split TCP writes are framed by Content-Length (§18.3)', async (t) => {
  t.timeout(5000);
  const inbox = new Inbox();
  const { layer, port } = await tcpLayer(inbox);
  t.teardown(() => layer.close());
  const phone = await tcpPeer(port);
  phone.socket.setNoDelay(true);
  const via = 'SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bK';
  const a = requestText({ via: `${via}a`, callId: 'a', body: 'v=0\r\n' });
  const b = requestText({ via: `${via}b`, callId: 'b' });
  const c = requestText({ via: `${via}c`, callId: 'c', body: 'xyz' });
  phone.socket.write(a + b + c.slice(0, 30));
  t.is((await inbox.requests.next()).message.callId, 'a');
  t.is((await inbox.requests.next()).message.body.toString(), '');
  phone.socket.write(c.slice(30, -2));
  phone.socket.write(c.slice(-2));
  const third = await inbox.requests.next();
  t.is(third.message.callId, 'c');
  t.is(third.message.body.toString(), 'xyz');
  phone.socket.destroy();
});

test('a CRLF ping is answered with one CRLF and never passed up (RFC 5626 §4.4.1)', async (t) => {
  t.timeout(5000);
  const inbox = new Inbox();
  const { layer, port } = await tcpLayer(inbox);
  t.teardown(() => layer.close());
  const phone = await tcpPeer(port);
  phone.socket.write('\r\n\r\n');
  t.is(await phone.waitFor((s) => s.length >= 2), '\r\n');
  phone.socket.write(
    requestText({ via: 'SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bKp', callId: 'after-ping' }),
  );
  t.is((await inbox.requests.next()).message.callId, 'after-ping');
  t.is(phone.text, '\r\n');
  phone.socket.destroy();
});

test('a TCP request without Content-Length gets 400 with the reason and the connection closes', async (t) => {
  t.timeout(5000);
  const inbox = new Inbox();
  const { layer, port } = await tcpLayer(inbox);
  t.teardown(() => layer.close());
  const phone = await tcpPeer(port);
  const noLength = requestText({ via: 'SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bKn' }).replace(
    'Content-Length: 0\r\n',
    '',
  );
  phone.socket.write(noLength);
  await phone.ended;
  t.regex(phone.text, /^SIP\/2\.0 400 Missing Content-Length\r\n/);
  t.is(headerOf(phone.text, 'Call-ID'), 'call-1@test');
  t.is(inbox.requests.items.length, 0);
  await inbox.closed.next();
});

test('sendRequest over TCP reuses the connection open to that address', async (t) => {
  t.timeout(5000);
  const inbox = new Inbox();
  const { layer: server, port } = await tcpLayer(inbox);
  const clientInbox = new Inbox();
  const { layer: client } = await tcpLayer(clientInbox);
  t.teardown(async () => Promise.all([client.close(), server.close()]));

  const { parseMessage } = await import('../../src/message/index.ts');
  const make = (callId: string) => {
    const p = parseMessage(
      Buffer.from(requestText({ via: 'SIP/2.0/TCP x;branch=z9hG4bK' + callId, callId })),
    );
    if (!p.ok || p.message.kind !== 'request') throw new Error('fixture does not parse');
    return p.message;
  };
  const target = { protocol: 'TCP' as const, address: '127.0.0.1', port };
  const first = await client.sendRequest(make('one'), target);
  const second = await client.sendRequest(make('two'), target);
  t.truthy(first.connectionId);
  t.is(second.connectionId, first.connectionId);

  const one = await inbox.requests.next();
  await inbox.requests.next();
  t.is(one.flow.remotePort, first.localPort);
  await server.sendResponse(createResponse(one.message, 200, 'OK'), one.flow);
  const response = await clientInbox.responses.next();
  t.is(response.flow.connectionId, first.connectionId);
});

test('an idle connection is closed after the idle timeout, on the injected clock', async (t) => {
  t.timeout(5000);
  const clock = new FakeClock();
  const inbox = new Inbox();
  const { layer, port } = await tcpLayer(inbox, { clock, idleTimeoutMs: 30_000 });
  t.teardown(() => layer.close());
  const phone = await tcpPeer(port);
  phone.socket.write(requestText({ via: 'SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bKi' }));
  const { flow } = await inbox.requests.next();
  // Traffic just before the deadline rearms the timer: the connection is still usable.
  clock.advance(29_999);
  phone.socket.write(
    requestText({ via: 'SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bKi2', callId: 'still-open' }),
  );
  t.is((await inbox.requests.next()).message.callId, 'still-open');
  clock.advance(30_000);
  await phone.ended;
  t.is((await inbox.closed.next()).connectionId, flow.connectionId ?? 'missing');
});
