// The CLI as an operator runs it: a real process, a real SQLite file.
import test from 'ava';
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
