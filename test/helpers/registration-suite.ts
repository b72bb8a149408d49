// The registration scenarios of test/sipp as one suite, defined against any registrar:
// Kamailio (to prove the scenarios right) and our feature server (to prove it right).
// Each run uses a subscriber nobody else uses, because the checks read the AOR's whole
// binding list.
import type { TestFn } from 'ava';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runSipp, type SippRunOptions, type SippTransport } from './sipp.ts';

export interface Subscriber {
  /** The AOR user: a national number. */
  aorUser: string;
  sipId: string;
  password: string;
}

export interface RegistrationSuiteOptions {
  /** host:port of the registrar; read once the suite's `before` hooks have run. */
  target: () => string;
  /** A folder for the CSV files; read once the `before` hooks have run. */
  dir: () => string;
  subscribers: readonly Subscriber[];
  /** The registrar's Min-Expires, so the expiry scenario can wait just past it. */
  minExpires: number;
}

const scenarios = resolve(fileURLToPath(new URL('../sipp', import.meta.url)));
const transports: SippTransport[] = ['u1', 't1'];
const simple = [
  'register',
  'reregister',
  'fetch-bindings',
  'unregister',
  'interval-too-brief',
  'several-contacts',
];

export function registrationSuite(test: TestFn, o: RegistrationSuiteOptions): void {
  let next = 0;

  /** A CSV for one unused subscriber; `sipId`/`password` override the right ones. */
  async function userFile(override: { sipId?: string; password?: string } = {}): Promise<string> {
    const i = next++;
    const user = o.subscribers[i];
    if (user === undefined) throw new Error('out of test subscribers');
    const file = join(o.dir(), `user-${i}.csv`);
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
      target: o.target(),
      transport,
      injectionFile,
      timeoutMs: 20_000,
      ...extra,
    });
  }

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

    test(`an unknown SIP-ID is answered like a wrong password over ${transport}`, async (t) => {
      const result = await sipp(
        'wrong-credentials',
        transport,
        await userFile({ sipId: 'nobody' }),
      );
      t.is(result.exitCode, 0, result.errors);
    });

    test(`a binding is gone after its expiry over ${transport}`, async (t) => {
      const result = await sipp('expiry', transport, await userFile(), {
        vars: { expires: String(o.minExpires) },
        pauseMs: o.minExpires * 1000 + 1500,
      });
      t.is(result.exitCode, 0, result.errors);
    });
  }

  // Controls: the scenarios notice when the registrar does not behave as they expect.
  test('control: wrong-credentials fails when the credentials are right', async (t) => {
    const result = await sipp('wrong-credentials', 'u1', await userFile());
    t.is(result.exitCode, 1, result.errors + result.stdout.slice(-1500));
    t.is(result.failed, 1);
  });

  test('control: expiry fails when the binding is fetched before it expires', async (t) => {
    const result = await sipp('expiry', 'u1', await userFile(), {
      vars: { expires: '60' },
      pauseMs: 0,
    });
    t.is(result.exitCode, 1);
    t.regex(result.errors, /should not/);
  });

  test('control: register fails when the password is wrong', async (t) => {
    const result = await sipp('register', 'u1', await userFile({ password: 'not-it' }));
    t.is(result.exitCode, 1);
    t.is(result.failed, 1);
  });
}
