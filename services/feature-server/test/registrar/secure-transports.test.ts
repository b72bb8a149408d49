// Registration over TLS and WebSocket (RFC 7118): the binding keeps the connection, so the
// device stays reachable over it, and goes when the connection closes.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@ipvoice/config';
import { noopLogger } from '@ipvoice/sip';
import { startFeatureServer, type FeatureServer } from '../../src/feature-server.ts';
import { StreamUa, WsUa, type RawUa } from '../helpers/raw-ua.ts';

const provisioning = `version: 1
voiceGroups:
  - code: VG00078
    name: Secure transports
    sites:
      - code: "7800001"
        name: Branch
        accessLines:
          - code: N780000001
            channels: 2
            numbers:
              - number: "0312347801"
                sip: { username: sec01, password: sec-secret-01 }
              - number: "0312347802"
                sip: { username: sec02, password: sec-secret-02 }
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
  dir = await mkdtemp(join(tmpdir(), 'ipvoice-secure-'));
  await writeFile(join(dir, 'provisioning.yaml'), provisioning);
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  const config = loadConfig({
    argv: [],
    env: {
      SIP_PORT: String(await freePort()),
      DATA_DIR: dir,
      PROVISIONING_FILE: join(dir, 'provisioning.yaml'),
      IPVOICE_SIP__HOST: '127.0.0.1',
      SIP_ADVERTISED_HOST: '127.0.0.1',
      IPVOICE_SIP__TLS__ENABLED: 'true',
      IPVOICE_SIP__TLS__PORT: String(await freePort()),
      IPVOICE_SIP__TLS__CERT_FILE: certFile,
      IPVOICE_SIP__TLS__KEY_FILE: keyFile,
      IPVOICE_SIP__WS__ENABLED: 'true',
      IPVOICE_SIP__WS__PORT: String(await freePort()),
    },
  });
  server = await startFeatureServer({ config, logger: noopLogger });
});

test.after.always(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

const portOf = (protocol: string) =>
  server.listeningPoints.find((p) => p.protocol === protocol)?.port ?? 0;

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
