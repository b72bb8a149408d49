// Phones behind NAT: a binding keeps the address, port and connection the REGISTER came
// from; keep-alives go there; a device that stops answering, or whose connection closes,
// loses its bindings. Real feature server, real sockets.
import test from 'ava';
import type { BindingsRemovedListener, FeatureServer } from '../../src/feature-server.ts';
import { startTestServer, type TestServer } from '../helpers/in-process-server.ts';
import { StreamUa, UdpUa } from '../helpers/raw-ua.ts';

let t0: TestServer;
let server: FeatureServer;

test.before(async () => {
  t0 = await startTestServer({
    tag: '77',
    subscribers: [1, 2, 3].map((n) => ({
      number: `031234770${n}`,
      username: `nat0${n}`,
      password: `nat-secret-0${n}`,
    })),
    env: () => ({
      // Keep-alive every second; with T1 = 50 ms an unanswered OPTIONS times out after
      // 64 * T1 = 3.2 s (RFC 3261 §17.1.2.2 Timer F), long enough that a busy CI machine
      // does not time out a device that does answer.
      IPVOICE_REGISTRAR__UDP_KEEPALIVE__INTERVAL: '1',
      IPVOICE_SIP__TIMERS__T1: '50',
      IPVOICE_SIP__TIMERS__T2: '400',
    }),
  });
  server = t0.server;
});

test.after.always(() => t0?.dispose());

const sipPort = () => t0.port('UDP');

function nextRemoval(cause: 'connection-closed' | 'keepalive-timeout', aor: string) {
  return new Promise<Parameters<BindingsRemovedListener>[0]>((done) => {
    server.onBindingsRemoved((event) => {
      if (event.cause === cause && event.bindings.some((b) => b.aor === aor)) done(event);
    });
  });
}

test.serial(
  'a UDP binding keeps the source address and port, not the private Contact',
  async (t) => {
    const ua = await UdpUa.open(sipPort());
    t.teardown(() => ua.close());
    // A phone behind NAT writes its private address in Via and Contact.
    const res = await ua.register({
      aor: '0312347701',
      username: 'nat01',
      password: 'nat-secret-01',
      viaHost: '10.0.0.99',
      contact: 'sip:0312347701@10.0.0.99:5060',
    });
    t.is(res.status, 200);
    const [binding] = await server.state.registrations.list('0312347701');
    t.is(binding?.contact, 'sip:0312347701@10.0.0.99:5060');
    t.like(binding?.flow, {
      protocol: 'UDP',
      remoteAddress: '127.0.0.1',
      remotePort: ua.localPort,
    });

    // The keep-alive goes to where the REGISTER came from (the NAT's public side).
    const options = await ua.next((m) => m.kind === 'request' && m.method === 'OPTIONS');
    t.is(options.kind === 'request' ? options.method : '', 'OPTIONS');
    await server.state.registrations.remove('0312347701', binding?.bindingId ?? '');
  },
);

test.serial('a UDP device that answers keep-alives keeps its binding', async (t) => {
  const ua = await UdpUa.open(sipPort());
  t.teardown(() => ua.close());
  const res = await ua.register({
    aor: '0312347702',
    username: 'nat02',
    password: 'nat-secret-02',
  });
  t.is(res.status, 200);
  for (let i = 0; i < 3; i++) await ua.next((m) => m.kind === 'request' && m.method === 'OPTIONS');
  // Three answered rounds later (each longer than Timer F would need), still registered.
  t.is((await server.state.registrations.list('0312347702')).length, 1);
  await server.state.registrations.removeAll('0312347702');
});

test.serial('a UDP device that stops answering keep-alives loses its binding', async (t) => {
  const ua = await UdpUa.open(sipPort());
  t.teardown(() => ua.close());
  const res = await ua.register({
    aor: '0312347703',
    username: 'nat03',
    password: 'nat-secret-03',
  });
  t.is(res.status, 200);
  t.is((await server.state.registrations.list('0312347703')).length, 1);
  const removed = nextRemoval('keepalive-timeout', '0312347703');
  ua.answerRequests = false;
  const event = await removed;
  t.is(event.bindings[0]?.flow.remotePort, ua.localPort);
  t.true(
    ua.requests.some((r) => r.method === 'OPTIONS'),
    'the device was pinged first',
  );
  t.deepEqual(await server.state.registrations.list('0312347703'), []);
});

test.serial('a TCP binding answers CRLF pings and goes when its connection closes', async (t) => {
  const ua = await StreamUa.tcp(sipPort());
  const res = await ua.register({
    aor: '0312347701',
    username: 'nat01',
    password: 'nat-secret-01',
  });
  t.is(res.status, 200);
  const [binding] = await server.state.registrations.list('0312347701');
  t.is(binding?.flow.protocol, 'TCP');
  t.truthy(binding?.flow.connectionId, 'the binding remembers its connection');

  await ua.ping(); // RFC 5626 §4.4.1: CRLFCRLF answered by CRLF, the flow stays up
  t.is(ua.pongs, 1);

  const removed = nextRemoval('connection-closed', '0312347701');
  await ua.close();
  const event = await removed;
  t.is(event.bindings[0]?.flow.connectionId, binding?.flow.connectionId);
  t.deepEqual(await server.state.registrations.list('0312347701'), []);
});
