// Registrations live in the state store: with Redis they survive a restart of the
// feature server (ARCHITECTURE.md decision 4); with the in-process store they do not,
// which is the control showing the check can fail.
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { runSipp } from '../helpers/sipp.ts';
import { repoRoot, startServer, subscribersYaml } from '../helpers/feature-server.ts';

const redisUrl = process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const scenario = (name: string) => join(repoRoot, 'test/sipp', `${name}.xml`);
const expectBinding = join(repoRoot, 'test/e2e/scenarios/expect-binding.xml');

async function userCsv(dir: string): Promise<string> {
  const file = join(dir, 'user.csv');
  await writeFile(
    file,
    'SEQUENTIAL\n0312340001;[authentication username=user0001 password=pw-0001-secret]\n',
  );
  return file;
}

async function registerThenRestart(t: import('ava').ExecutionContext, env: Record<string, string>) {
  const dir = await mkdtemp(join(tmpdir(), 'ipvoice-restart-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const csv = await userCsv(dir);
  const common = {
    provisioning: subscribersYaml(2),
    // SIPp answers only MD5 challenges.
    env: { ...env, IPVOICE_AUTH__ALGORITHMS: 'MD5' },
  };
  const first = await startServer(common);
  t.teardown(() => first.dispose());
  const registered = await runSipp({
    scenario: scenario('register'),
    target: first.target,
    transport: 'u1',
    injectionFile: csv,
    timeoutMs: 15_000,
  });
  t.is(registered.exitCode, 0, registered.errors);
  const before = await runSipp({
    scenario: expectBinding,
    target: first.target,
    transport: 'u1',
    injectionFile: csv,
    timeoutMs: 15_000,
  });
  t.is(before.exitCode, 0, `binding missing before the restart: ${before.errors}`);

  await first.stop();
  const second = await startServer({ ...common, dataDir: first.dataDir, port: first.port });
  t.teardown(() => second.dispose());
  return runSipp({
    scenario: expectBinding,
    target: second.target,
    transport: 'u1',
    injectionFile: csv,
    timeoutMs: 15_000,
  });
}

test('registrations survive a restart of the feature server with Redis', async (t) => {
  const prefix = `ipvoice-e2e-${randomBytes(4).toString('hex')}:`;
  t.teardown(async () => {
    const redis = new Redis(redisUrl);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });
  const after = await registerThenRestart(t, {
    REDIS_URL: redisUrl,
    IPVOICE_STATE__KEY_PREFIX: prefix,
  });
  t.is(after.exitCode, 0, `binding lost in the restart: ${after.errors}`);
});

test('control: with in-process state the binding is gone after a restart', async (t) => {
  const after = await registerThenRestart(t, {});
  t.is(after.exitCode, 1);
  t.is(after.failed, 1);
});
