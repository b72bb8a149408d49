// `npm run bench:bulk`: SPEC §3.3 "all 1,000 members effective in under 1 s". Two feature
// servers share one database and Redis; an administrator's start of a 1,000-member bulk group
// is timed until every member is forwarded to slot 5 on both servers — probed through each
// server's own routing lookup, the one its next call makes. Then the same for stop.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@ipvoice/config';
import { findBulkForwardingGroup, openDatabase } from '@ipvoice/db';
import { startBulkForwarding, stopBulkForwarding } from '@ipvoice/forwarding-ops';
import { noopLogger } from '@ipvoice/sip';
import { createStateStore, systemClock } from '@ipvoice/state';
import {
  startFeatureServer,
  type FeatureServer,
} from '../../services/feature-server/src/feature-server.ts';

const smoke = process.argv.includes('--smoke');
const members = smoke ? 100 : 1000;
const rounds = smoke ? 1 : 5;
const redisUrl =
  process.env['REDIS_URL'] ?? process.env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

const member = (i: number) => `035559${String(i).padStart(4, '0')}`;
const target = (i: number) => `090555${String(i).padStart(4, '0')}9`;

function provisioning(): string {
  const numbers = Array.from({ length: members }, (_, i) => ({
    number: member(i),
    forwarding: {
      enabled: false,
      when: ['busy'],
      slots: [null, null, null, null, target(i)],
      target: 5,
    },
  }));
  return JSON.stringify({
    version: 1,
    voiceGroups: [
      {
        code: 'VG09996',
        name: 'Bench bulk',
        sites: [
          {
            code: '9999995',
            name: 'Bench site',
            accessLines: [{ code: 'N900000095', channels: 100, numbers }],
            bulkForwardingGroups: [{ name: 'Disaster', members: numbers.map((n) => n.number) }],
          },
        ],
      },
    ],
  });
}

async function freePort(): Promise<number> {
  return new Promise((done) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => done(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

async function server(dir: string, prefix: string, provision: boolean): Promise<FeatureServer> {
  const config = loadConfig({
    argv: [],
    env: {
      SIP_PORT: String(await freePort()),
      DATA_DIR: dir,
      DATABASE_URL: `sqlite:${join(dir, 'bench.sqlite')}`,
      REDIS_URL: redisUrl,
      IPVOICE_STATE__KEY_PREFIX: prefix,
      PROVISIONING_FILE: join(dir, 'provisioning.json'),
      IPVOICE_PROVISIONING__APPLY_ON_START: provision ? 'true' : 'false',
      IPVOICE_SIP__HOST: '127.0.0.1',
      IPVOICE_REGISTRAR__UDP_KEEPALIVE__MODE: 'none',
      LOG_LEVEL: 'warn',
    },
  });
  return startFeatureServer({ config, logger: noopLogger });
}

/** Milliseconds from `since` until every member's routing on every server is `wanted`. */
async function untilEffective(
  servers: readonly FeatureServer[],
  wanted: (source: string) => boolean,
  since: number,
): Promise<number> {
  const pending = servers.map(() => new Set(Array.from({ length: members }, (_, i) => member(i))));
  for (;;) {
    for (const [s, left] of pending.entries()) {
      for (const n of [...left]) {
        const sub = await servers[s]?.subscribers.get(n);
        if (sub && wanted(sub.forwardingSource)) left.delete(n);
      }
    }
    if (pending.every((p) => p.size === 0)) return performance.now() - since;
    await new Promise((r) => setImmediate(r));
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function main(): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-bulk-'));
  const prefix = `bench-bulk-${randomUUID()}:`;
  await writeFile(join(dir, 'provisioning.json'), provisioning());
  const first = await server(dir, prefix, true);
  const second = await server(dir, prefix, false);
  const servers = [first, second];
  const db = openDatabase(`sqlite:${join(dir, 'bench.sqlite')}`);
  const state = createStateStore({ driver: 'redis', redisUrl, keyPrefix: prefix });
  const deps = { db, state, clock: systemClock, logger: noopLogger };
  try {
    const site = await db
      .selectFrom('sites')
      .select('id')
      .where('code', '=', '9999995')
      .executeTakeFirstOrThrow();
    const group = await findBulkForwardingGroup(db, site.id, 'Disaster');
    if (!group) throw new Error('bulk group not provisioned');
    // Steady state: both servers have every member cached, as after a day of calls.
    await untilEffective(servers, (s) => s !== 'bulk', performance.now());

    const starts: number[] = [];
    const startEffective: number[] = [];
    const stopEffective: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const t0 = performance.now();
      const started = await startBulkForwarding(deps, group.id, 'bench');
      starts.push(performance.now() - t0);
      if (started.ok !== members) throw new Error(`start: ${started.errors.length} errors`);
      startEffective.push(await untilEffective(servers, (s) => s === 'bulk', t0));
      const t1 = performance.now();
      await stopBulkForwarding(deps, group.id, 'bench');
      stopEffective.push(await untilEffective(servers, (s) => s !== 'bulk', t1));
    }
    const fmt = (ms: number) => `${ms.toFixed(0)} ms`;
    console.log(
      `bench:bulk: ${members} members, 2 feature servers (SQLite file + Redis), ${rounds} rounds`,
    );
    console.log(
      `  start request alone                      median ${fmt(median(starts))}  (${starts.map(fmt).join(', ')})`,
    );
    console.log(
      `  start → all members bulk on both servers  median ${fmt(median(startEffective))}  (${startEffective.map(fmt).join(', ')})`,
    );
    console.log(
      `  stop → all members back on both servers   median ${fmt(median(stopEffective))}  (${stopEffective.map(fmt).join(', ')})`,
    );
    console.log(
      JSON.stringify({
        members,
        rounds,
        startMs: median(starts),
        startEffectiveMs: median(startEffective),
        stopEffectiveMs: median(stopEffective),
      }),
    );
    return 0;
  } finally {
    await state.close();
    await db.destroy();
    for (const s of servers) await s.close();
    await rm(dir, { recursive: true, force: true });
  }
}

process.exitCode = await main();
