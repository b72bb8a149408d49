// The registration scenarios of test/sipp run by SIPp against the real feature server,
// over UDP and TCP. The same scenarios pass against Kamailio (test/sipp/kamailio), so a
// failure here is ours.
import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSipp, type SippRunOptions, type SippTransport } from '../helpers/sipp.ts';
import {
  repoRoot,
  startServer,
  subscribersYaml,
  type RunningServer,
} from '../helpers/feature-server.ts';

const minExpires = 2;
const subscribers = 64;
let server: RunningServer;
let dir: string;
let nextUser = 0;

test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ipvoice-sipp-'));
  server = await startServer({
    provisioning: subscribersYaml(subscribers),
    // SIPp answers only MD5 challenges, and only the first one offered.
    env: { IPVOICE_REGISTRAR__MIN_EXPIRES: String(minExpires), IPVOICE_AUTH__ALGORITHMS: 'MD5' },
  });
});

test.after.always(async () => {
  await server?.dispose();
  await rm(dir, { recursive: true, force: true });
});

/** A CSV for one subscriber nobody else uses (the checks read the AOR's whole binding list). */
async function userFile(override: { sipId?: string; password?: string } = {}): Promise<string> {
  const i = nextUser++;
  if (i >= subscribers) throw new Error('out of test subscribers');
  const n = String(i).padStart(4, '0');
  const file = join(dir, `user-${i}.csv`);
  const sipId = override.sipId ?? `user${n}`;
  const password = override.password ?? `pw-${n}-secret`;
  await writeFile(
    file,
    `SEQUENTIAL\n031234${n};[authentication username=${sipId} password=${password}]\n`,
  );
  return file;
}

function sipp(
  scenario: string,
  transport: SippTransport,
  injectionFile: string,
  extra: Partial<SippRunOptions> = {},
) {
  return runSipp({
    scenario: join(repoRoot, 'test/sipp', `${scenario}.xml`),
    target: server.target,
    transport,
    injectionFile,
    timeoutMs: 20_000,
    ...extra,
  });
}

const transports: SippTransport[] = ['u1', 't1'];
const simple = [
  'register',
  'reregister',
  'fetch-bindings',
  'unregister',
  'interval-too-brief',
  'several-contacts',
];

for (const transport of transports) {
  for (const scenario of simple) {
    test(`${scenario} passes over ${transport}`, async (t) => {
      const result = await sipp(scenario, transport, await userFile());
      t.is(result.exitCode, 0, result.errors);
      t.is(result.successful, 1);
    });
  }

  test(`a wrong password is challenged again over ${transport}`, async (t) => {
    const result = await sipp(
      'wrong-credentials',
      transport,
      await userFile({ password: 'not-it' }),
    );
    t.is(result.exitCode, 0, result.errors);
  });

  test(`an unknown SIP-ID is answered exactly like a wrong password over ${transport}`, async (t) => {
    const result = await sipp('wrong-credentials', transport, await userFile({ sipId: 'nobody' }));
    t.is(result.exitCode, 0, result.errors);
  });

  test(`a binding is gone after its expiry over ${transport}`, async (t) => {
    const result = await sipp('expiry', transport, await userFile(), {
      vars: { expires: String(minExpires) },
      pauseMs: minExpires * 1000 + 1500,
    });
    t.is(result.exitCode, 0, result.errors);
  });
}

// Controls: the scenarios notice when our server does not behave as they expect.
test('register fails against our server when the password is wrong', async (t) => {
  const result = await sipp('register', 'u1', await userFile({ password: 'not-it' }));
  t.is(result.exitCode, 1);
  t.is(result.failed, 1);
});

test('expiry fails against our server when the binding is fetched before it expires', async (t) => {
  const result = await sipp('expiry', 'u1', await userFile(), {
    vars: { expires: '60' },
    pauseMs: 0,
  });
  t.is(result.exitCode, 1);
});
