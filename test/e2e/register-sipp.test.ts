// The registration scenarios of test/sipp run by SIPp against the real feature server,
// over UDP and TCP. The same suite passes against Kamailio (test/sipp/kamailio), so a
// failure here is ours.
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, subscribersYaml, type RunningServer } from '../helpers/feature-server.ts';
import { registrationSuite } from '../helpers/registration-suite.ts';

const minExpires = 2;
const count = 64;
let server: RunningServer;
let dir: string;

test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ipvoice-sipp-'));
  server = await startServer({
    provisioning: subscribersYaml(count),
    // SIPp answers only MD5 challenges, and only the first one offered.
    env: { IPVOICE_REGISTRAR__MIN_EXPIRES: String(minExpires), IPVOICE_AUTH__ALGORITHMS: 'MD5' },
  });
});

test.after.always(async () => {
  await server?.dispose();
  await rm(dir, { recursive: true, force: true });
});

registrationSuite(test, {
  target: () => server.target,
  dir: () => dir,
  minExpires,
  // The subscribers of subscribersYaml: 031234NNNN, SIP-ID userNNNN.
  subscribers: Array.from({ length: count }, (_, i) => {
    const n = String(i).padStart(4, '0');
    return { aorUser: `031234${n}`, sipId: `user${n}`, password: `pw-${n}-secret` };
  }),
});
