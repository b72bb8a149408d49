// Phones behind NAT: a binding keeps the address, port and connection the REGISTER came
// from; keep-alives go there; a device that stops answering, or whose connection closes,
// loses its bindings. Real feature server, real sockets.
import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@ipvoice/config';
import { noopLogger } from '@ipvoice/sip';
import {
  startFeatureServer,
  type BindingsRemovedListener,
  type FeatureServer,
} from '../../src/feature-server.ts';
import { StreamUa, UdpUa } from '../helpers/raw-ua.ts';

const provisioning = `version: 1
voiceGroups:
  - code: VG00077
    name: NAT test
    sites:
      - code: "7700001"
        name: Branch
        accessLines:
          - code: N770000001
            channels: 2
            numbers:
              - number: "0312347701"
                sip: { username: nat01, password: nat-secret-01 }
              - number: "0312347702"
                sip: { username: nat02, password: nat-secret-02 }
              - number: "0312347703"
                sip: { username: nat03, password: nat-secret-03 }
`;

async function freePort(): Promise<number> {
  return new Promise((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => done(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

let server: FeatureServer;
let dir: string;

test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ipvoice-nat-'));
  await writeFile(join(dir, 'provisioning.yaml'), provisioning);
  const config = loadConfig({
    argv: [],
    env: {
      SIP_PORT: String(await freePort()),
      DATA_DIR: dir,
      PROVISIONING_FILE: join(dir, 'provisioning.yaml'),
      IPVOICE_SIP__HOST: '127.0.0.1',
      SIP_ADVERTISED_HOST: '127.0.0.1',
      // Keep-alive every second; with T1 = 50 ms an unanswered OPTIONS times out after
      // 64 * T1 = 3.2 s (RFC 3261 §17.1.2.2 Timer F), long enough that a busy CI machine
      // does not time out a device that does answer.
      IPVOICE_REGISTRAR__UDP_KEEPALIVE__INTERVAL: '1',
      IPVOICE_SIP__TIMERS__T1: '50',
      IPVOICE_SIP__TIMERS__T2: '400',
    },
  });
  server = await startFeatureServer({ config, logger: noopLogger });
});

test.after.always(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

const sipPort = () => server.listeningPoints.find((p) => p.protocol === 'UDP')?.port ?? 0;

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
