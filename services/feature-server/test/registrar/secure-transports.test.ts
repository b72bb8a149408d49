// Registration over TLS and WebSocket (RFC 7118): the binding keeps the connection, so the
// device stays reachable over it, and goes when the connection closes.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { FeatureServer } from '../../src/feature-server.ts';
import { freePort, startTestServer, type TestServer } from '../helpers/in-process-server.ts';
import { StreamUa, WsUa, type RawUa } from '../helpers/raw-ua.ts';

let t0: TestServer;
let server: FeatureServer;

test.before(async () => {
  t0 = await startTestServer({
    tag: '78',
    subscribers: [1, 2].map((n) => ({
      number: `031234780${n}`,
      username: `sec0${n}`,
      password: `sec-secret-0${n}`,
    })),
    env: async (dir) => {
      const certFile = join(dir, 'cert.pem');
      const keyFile = join(dir, 'key.pem');
      execFileSync(
        'openssl',
        [
          ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'],
          ...['-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1'],
          ...['-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
        ],
        { stdio: 'ignore' },
      );
      return {
        IPVOICE_SIP__TLS__ENABLED: 'true',
        IPVOICE_SIP__TLS__PORT: String(await freePort()),
        IPVOICE_SIP__TLS__CERT_FILE: certFile,
        IPVOICE_SIP__TLS__KEY_FILE: keyFile,
        IPVOICE_SIP__WS__ENABLED: 'true',
        IPVOICE_SIP__WS__PORT: String(await freePort()),
      };
    },
  });
  server = t0.server;
});

test.after.always(() => t0?.dispose());

const portOf = (protocol: string) => t0.port(protocol);

async function registerThenClose(
  t: import('ava').ExecutionContext,
  ua: RawUa & { close(): Promise<void> },
  aor: string,
  credentials: { username: string; password: string },
  sentBy?: string,
) {
  const res = await ua.register({
    aor,
    ...credentials,
    ...(sentBy
      ? { viaHost: sentBy, contact: `sip:${aor}@${sentBy};transport=${ua.protocol.toLowerCase()}` }
      : {}),
  });
  t.is(res.status, 200);
  const [binding] = await server.state.registrations.list(aor);
  t.is(binding?.flow.protocol, ua.protocol);
  t.truthy(binding?.flow.connectionId, 'the binding remembers its connection');

  const removed = new Promise<void>((done) =>
    server.onBindingsRemoved((e) => {
      if (e.cause === 'connection-closed' && e.bindings.some((b) => b.aor === aor)) done();
    }),
  );
  await ua.close();
  await removed;
  t.deepEqual(await server.state.registrations.list(aor), []);
}

test.serial('a phone registers over TLS and its binding goes with the connection', async (t) => {
  const ua = await StreamUa.tls(portOf('TLS'));
  await registerThenClose(t, ua, '0312347801', { username: 'sec01', password: 'sec-secret-01' });
});

test.serial(
  'a browser registers over WebSocket and its binding goes with the connection',
  async (t) => {
    const ua = await WsUa.open(portOf('WS'));
    await registerThenClose(
      t,
      ua,
      '0312347802',
      { username: 'sec02', password: 'sec-secret-02' },
      'df7jal23ls0d.invalid',
    );
  },
);
