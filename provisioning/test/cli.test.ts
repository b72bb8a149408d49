// The CLI as an operator runs it: a real process, a real SQLite file.
import test from 'ava';
import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const demo = join(root, 'provisioning/demo.yaml');

function cli(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(root, 'provisioning/src/cli.ts'), ...args],
      { cwd: root, env: { ...process.env, ...env } },
      (error, stdout, stderr) =>
        done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

test('apply writes into the database under DATA_DIR, and a second apply changes nothing', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ipvoice-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const first = await cli(['apply', demo], { DATA_DIR: dir });
  t.is(first.code, 0, first.stderr);
  t.regex(first.stdout, new RegExp(`sqlite:${dir}/ipvoice.sqlite`));
  t.regex(first.stdout, /^numbers\s+4\s+0\s+0$/m);
  const second = await cli(['apply', demo], { DATA_DIR: dir });
  t.is(second.code, 0, second.stderr);
  t.regex(second.stdout, /^numbers\s+0\s+0\s+4$/m);
});

test('an invalid file is refused with the YAML path of each error', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ipvoice-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'bad.yaml');
  await writeFile(
    file,
    'version: 1\nvoiceGroups:\n  - code: VG00001\n    name: X\n    sites:\n      - code: "123"\n        name: Y\n',
  );
  const result = await cli(['validate', file], { DATA_DIR: dir });
  t.is(result.code, 1);
  t.regex(result.stderr, /voiceGroups\[0\]\.sites\[0\]\.code/);
});

test('an unknown command prints the usage and exits 2', async (t) => {
  const result = await cli(['frobnicate'], {});
  t.is(result.code, 2);
  t.regex(result.stderr, /usage:/);
});

test('test-mail queues a test mail per incoming-call notice address, or to the one named', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ipvoice-cli-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'notice.yaml');
  await writeFile(
    file,
    JSON.stringify({
      version: 1,
      voiceGroups: [
        {
          code: 'VG07700',
          name: 'Notice',
          sites: [
            {
              code: '7700001',
              name: 'Office',
              accessLines: [
                {
                  code: 'N770000001',
                  channels: 2,
                  numbers: [
                    {
                      number: '03-7700-0001',
                      sip: { username: 'u77', password: 'pw-77-secret' },
                      subscriptions: ['incoming_call_notice'],
                      incomingCallNotice: {
                        enabled: true,
                        addresses: [
                          { address: 'desk@example.com' },
                          { address: 'boss@example.com', send: false },
                        ],
                      },
                    },
                  ],
                },
              ],
            },
          ],
        },
      ],
    }),
  );
  t.is((await cli(['apply', file], { DATA_DIR: dir })).code, 0);
  const all = await cli(['test-mail', '03-7700-0001'], { DATA_DIR: dir });
  t.is(all.code, 0, all.stderr);
  t.regex(all.stdout, /desk@example\.com, boss@example\.com/);
  const one = await cli(['test-mail', '0377000001', 'boss@example.com'], { DATA_DIR: dir });
  t.is(one.code, 0, one.stderr);
  const stranger = await cli(['test-mail', '0377000001', 'eve@example.com'], { DATA_DIR: dir });
  t.is(stranger.code, 1);
  t.regex(stranger.stderr, /eve@example\.com is not an incoming-call notice address/);
  const unknown = await cli(['test-mail', '0399999999'], { DATA_DIR: dir });
  t.is(unknown.code, 1);
  t.regex(unknown.stderr, /not a number of ours/);
  const db = new Database(join(dir, 'ipvoice.sqlite'), { readonly: true });
  t.teardown(() => db.close());
  const rows = db
    .prepare("SELECT recipients FROM mail_queue WHERE kind = 'test' ORDER BY id")
    .all() as Array<{ recipients: string }>;
  t.deepEqual(
    rows.map((r) => JSON.parse(r.recipients) as string[]),
    [['desk@example.com'], ['boss@example.com'], ['boss@example.com']],
  );
});
