// Runs every registration scenario against Kamailio over UDP and TCP, so we know the scenarios
// are right before pointing them at our registrar. Each run uses a subscriber of its own,
// because the checks read the whole binding list of the AOR.
import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  startKamailio,
  type Credential,
  type RunningKamailio,
} from '../../../bench/kamailio/kamailio.ts';
import { runSipp, type SippRunOptions, type SippTransport } from '../../helpers/sipp.ts';

const scenarios = fileURLToPath(new URL('..', import.meta.url));
const minExpires = 2;
const credentials: Credential[] = Array.from({ length: 64 }, (_, i) => ({
  aorUser: `030${String(1000000 + i)}`,
  sipId: `sipid${i}`,
  password: `pw-${i}-secret`,
}));

let kamailio: RunningKamailio;
let dir: string;
let port: number;
let nextUser = 0;

test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kamailio-sipp-'));
  port = 25060 + (process.pid % 1000);
  kamailio = await startKamailio({ dir, port, credentials, minExpires, sharedMemoryMb: 64 });
});

test.after.always(async () => {
  await kamailio?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** A CSV holding one subscriber nobody else uses; `password` overrides the right one. */
async function userFile(override: { sipId?: string; password?: string } = {}): Promise<string> {
  const user = credentials[nextUser++];
  if (user === undefined) throw new Error('out of test subscribers');
  const file = join(dir, `user-${nextUser}.csv`);
  const sipId = override.sipId ?? user.sipId;
  const password = override.password ?? user.password;
  await writeFile(
    file,
    `SEQUENTIAL\n${user.aorUser};[authentication username=${sipId} password=${password}]\n`,
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
    scenario: join(scenarios, `${scenario}.xml`),
    target: `127.0.0.1:${port}`,
    transport,
    injectionFile,
    timeoutMs: 15_000,
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

  test(`a wrong password is refused over ${transport}`, async (t) => {
    const result = await sipp(
      'wrong-credentials',
      transport,
      await userFile({ password: 'not-it' }),
    );
    t.is(result.exitCode, 0, result.errors);
  });

  test(`an unknown SIP-ID is refused like a wrong password over ${transport}`, async (t) => {
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

// Controls: the scenarios notice when the server does not behave as they expect.
test('wrong-credentials fails when the credentials are right', async (t) => {
  const result = await sipp('wrong-credentials', 'u1', await userFile());
  t.is(result.exitCode, 1, result.errors + result.stdout.slice(-1500));
  t.is(result.failed, 1, result.errors + result.stdout.slice(-1500));
});

test('expiry fails when the binding is fetched before it expires', async (t) => {
  const result = await sipp('expiry', 'u1', await userFile(), {
    vars: { expires: '60' },
    pauseMs: 0,
  });
  t.is(result.exitCode, 1);
  t.regex(result.errors, /should not/);
});

test('register fails when the password is wrong', async (t) => {
  const result = await sipp('register', 'u1', await userFile({ password: 'not-it' }));
  t.is(result.exitCode, 1);
  t.is(result.failed, 1);
});
