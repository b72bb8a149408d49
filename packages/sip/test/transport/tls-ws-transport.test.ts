import test from 'ava';
import { connect as tlsConnect } from 'node:tls';
import { WebSocket } from 'ws';
import { createResponse, parseMessage } from '../../src/message/index.ts';
import type { SipRequest } from '../../src/message/types.ts';
import { createTransportLayer, type TransportProtocol } from '../../src/transport/index.ts';
import { selfSignedCertificate } from './certificate.ts';
import { Inbox, Queue, requestText, streamPeer } from './helpers.ts';

const tls = selfSignedCertificate();

function request(protocol: TransportProtocol, callId: string): SipRequest {
  const p = parseMessage(
    Buffer.from(requestText({ via: `SIP/2.0/${protocol} x;branch=z9hG4bK${callId}`, callId })),
  );
  if (!p.ok || p.message.kind !== 'request') throw new Error('fixture does not parse');
  return p.message;
}

async function layer(protocol: TransportProtocol, user: Inbox) {
  const secure = protocol === 'TLS' || protocol === 'WSS';
  const l = await createTransportLayer({
    listen: [{ protocol, address: '127.0.0.1', port: 0, ...(secure ? { tls } : {}) }],
    user,
    tlsClient: { ca: tls.cert },
  });
  return { layer: l, port: l.listeningPoints[0]?.port ?? 0 };
}

// Each transport, layer to layer: a request out, its response back on the same flow.
for (const protocol of ['UDP', 'TCP', 'TLS', 'WS', 'WSS'] as const) {
  test(`${protocol}: a request and its response between two transport layers`, async (t) => {
    t.timeout(8000);
    const serverInbox = new Inbox();
    const clientInbox = new Inbox();
    const server = await layer(protocol, serverInbox);
    const client = await layer(protocol, clientInbox);
    t.teardown(async () => Promise.all([client.layer.close(), server.layer.close()]));

    const sentOn = await client.layer.sendRequest(request(protocol, `to-${protocol}`), {
      protocol,
      address: '127.0.0.1',
      port: server.port,
    });
    const incoming = await serverInbox.requests.next();
    t.is(incoming.message.callId, `to-${protocol}`);
    t.is(incoming.message.via[0]?.transport, protocol);
    t.is(incoming.message.via[0]?.port, client.port);
    t.is(incoming.flow.protocol, protocol);
    t.is(server.layer.isReliable(protocol), protocol !== 'UDP');

    await server.layer.sendResponse(createResponse(incoming.message, 200, 'OK'), incoming.flow);
    const response = await clientInbox.responses.next();
    t.is(response.message.status, 200);
    t.is(response.message.callId, `to-${protocol}`);
    if (protocol !== 'UDP') t.is(response.flow.connectionId, sentOn.connectionId ?? 'missing');
  });
}

test('TLS: a phone with the self-signed CA gets its response on the same TLS connection', async (t) => {
  t.timeout(8000);
  const inbox = new Inbox();
  const { layer: server, port } = await layer('TLS', inbox);
  t.teardown(() => server.close());
  const socket = tlsConnect({ host: '127.0.0.1', port, ca: tls.cert });
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', resolve);
    socket.once('error', reject);
  });
  const phone = streamPeer(socket);
  socket.write(requestText({ via: 'SIP/2.0/TLS 10.0.0.9:5061;branch=z9hG4bKtls;rport' }));
  const { message, flow } = await inbox.requests.next();
  t.is(message.via[0]?.params['received'], '127.0.0.1');
  await server.sendResponse(createResponse(message, 200, 'OK'), flow);
  await phone.waitFor((s) => s.startsWith('SIP/2.0 200 OK\r\n'));
  socket.end();
  t.is((await inbox.closed.next()).connectionId, flow.connectionId ?? 'missing');
});

test('WS: a browser offering the sip subprotocol talks one message per frame (RFC 7118)', async (t) => {
  t.timeout(8000);
  const inbox = new Inbox();
  const { layer: server, port } = await layer('WS', inbox);
  t.teardown(() => server.close());
  const ws = new WebSocket(`ws://127.0.0.1:${port}`, 'sip');
  const frames = new Queue<string>();
  ws.on('message', (data) => frames.push(String(data)));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  t.is(ws.protocol, 'sip');
  ws.send(
    requestText({
      method: 'REGISTER',
      via: 'SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bKws;rport',
    }),
  );
  const { message, flow } = await inbox.requests.next();
  t.is(flow.protocol, 'WS');
  t.is(message.via[0]?.params['received'], '127.0.0.1');
  await server.sendResponse(createResponse(message, 200, 'OK'), flow);
  t.regex(await frames.next(), /^SIP\/2\.0 200 OK\r\n[\s\S]*\r\n\r\n$/);
  ws.close();
  t.is((await inbox.closed.next()).connectionId, flow.connectionId ?? 'missing');
});

test('WS: a handshake without the sip subprotocol is refused (RFC 7118 §4.1)', async (t) => {
  t.timeout(8000);
  const inbox = new Inbox();
  const { layer: server, port } = await layer('WS', inbox);
  t.teardown(() => server.close());
  const ws = new WebSocket(`ws://127.0.0.1:${port}`);
  const outcome = await new Promise<string>((resolve) => {
    ws.once('open', () => resolve('open'));
    ws.once('unexpected-response', (_req, res) => resolve(`refused ${res.statusCode}`));
    ws.once('error', (err) => resolve(`error ${err.message}`));
  });
  ws.terminate();
  t.regex(outcome, /^(refused 400|error .*400)/);
});
