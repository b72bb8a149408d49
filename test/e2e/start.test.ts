// `npm start` as a newcomer meets it: the embedded defaults with the demo tenant, ready for
// a softphone; and a bad setting stops it with a message naming the key.
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSipp } from '../helpers/sipp.ts';
import { repoRoot, startServer } from '../helpers/feature-server.ts';

test('the embedded default loads the demo tenant and a demo phone registers', async (t) => {
  // SIPp answers only MD5 challenges.
  const server = await startServer({ env: { IPVOICE_AUTH__ALGORITHMS: 'MD5' } });
  t.teardown(() => server.dispose());
  const listening = server.logs.find((l) => l.includes('"msg":"listening'));
  t.truthy(listening);
  t.regex(listening ?? '', /point a softphone at 127\.0\.0\.1:\d+/);
  t.regex(listening ?? '', /sqlite:.*ipvoice\.sqlite/, 'SQLite under the data folder');
  t.regex(listening ?? '', /"state":"memory"/, 'in-process state');

  const csv = join(server.dataDir, 'demo.csv');
  await writeFile(
    csv,
    'SEQUENTIAL\n0355550100;[authentication username=demo0100 password=demo-pass-0100]\n',
  );
  const result = await runSipp({
    scenario: join(repoRoot, 'test/sipp/register.xml'),
    target: server.target,
    transport: 'u1',
    injectionFile: csv,
    timeoutMs: 15_000,
  });
  t.is(result.exitCode, 0, result.errors);

  // The REST API is served too: its OpenAPI document, and a login it refuses.
  const docs = await fetch(`${server.api}/docs/json`);
  t.is(docs.status, 200);
  t.truthy(((await docs.json()) as { openapi?: string }).openapi);
  const login = await fetch(`${server.api}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: 'nobody', password: 'wrong-password-1' }),
  });
  t.is(login.status, 401);
});

test('a bad setting stops start-up with a message naming the key and its source', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'ipvoice-badconf-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'services/feature-server/src/main.ts'],
    {
      cwd: repoRoot,
      env: { ...process.env, SIP_PORT: 'fifty', DATA_DIR: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  t.is(code, 2);
  t.regex(stderr, /sip\.udp\.port: .*"fifty".*SIP_PORT/);
});
