// Several schedulers on shared PostgreSQL + Redis, as in production: the same pass run by
// two at once switches each number exactly once, and feature servers hear about it.
import { randomBytes } from 'node:crypto';
import test from 'ava';
import { loadConfig } from '@ipvoice/config';
import { listSettingHistory, type Database, type Kysely } from '@ipvoice/db';
import { FakeClock, noopLogger } from '@ipvoice/sip';
import { RedisStateStore, settingsChangedChannel, type StateStore } from '@ipvoice/state';
import { applyScheduleSwitches, type SwitchReport } from '../src/schedule-switcher.ts';
import { startScheduler } from '../src/scheduler.ts';
import { postgresDatabase, redisUrl } from './helpers/databases.ts';
import { HandCron } from './helpers/hand-cron.ts';
import { historyCount, provision, statePattern } from './helpers/tenant.ts';

const jst = (local: string) => Date.parse(`${local}+09:00`);
const postgres = postgresDatabase();

const numbers = Array.from({ length: 30 }, (_, i) => `03-5555-01${String(i).padStart(2, '0')}`);
const digits = numbers.map((n) => n.replaceAll('-', '')).sort();

type Teardown = { teardown(fn: () => Promise<void> | void): void };

function redisStore(t: Teardown, keyPrefix: string): StateStore {
  const store = new RedisStateStore({ url: redisUrl, keyPrefix });
  t.teardown(() => store.close());
  return store;
}

/** Collects change notices; `settled()` resolves once everything published before it is in. */
async function listen(t: Teardown, keyPrefix: string) {
  const store = redisStore(t, keyPrefix);
  const messages: string[] = [];
  let marker: (() => void) | undefined;
  await store.subscribe(settingsChangedChannel, (m) => {
    if (m.startsWith('marker-')) marker?.();
    else messages.push(m);
  });
  return {
    messages,
    /** Redis delivers in publish order: our marker comes after every earlier notice. */
    async settled(): Promise<string[]> {
      const arrived = new Promise<void>((resolve) => (marker = resolve));
      await store.publish(settingsChangedChannel, `marker-${randomBytes(4).toString('hex')}`);
      await arrived;
      return messages.flatMap((m) => m.split(','));
    },
  };
}

async function sharedDatabase(t: Teardown, count: number) {
  const schema = await postgres.schema();
  const dbs: Array<Kysely<Database>> = [];
  for (let i = 0; i < count; i++) dbs.push(await schema.open());
  t.teardown(async () => {
    for (const db of dbs) await db.destroy();
  });
  return { url: schema.url, dbs };
}

const prefix = () => `ipvoice-test-${randomBytes(6).toString('hex')}:`;

function assertOnePassSwitchedAll(
  t: { deepEqual(a: unknown, b: unknown, m?: string): void },
  reports: SwitchReport[],
) {
  const switched = reports.flatMap((r) => r.switched.map((s) => s.number)).sort();
  t.deepEqual(switched, digits, 'each number switched by exactly one scheduler');
}

test('two schedulers run the same pass at once on shared PostgreSQL + Redis: one set of history rows, one notice per number', async (t) => {
  const { dbs } = await sharedDatabase(t, 2);
  const [dbA, dbB] = dbs as [Kysely<Database>, Kysely<Database>];
  await provision(dbA, { timeZone: 'Asia/Tokyo', numbers, otherNumbers: ['03-5555-0200'] });
  const keyPrefix = prefix();
  const clock = new FakeClock(jst('2026-01-09T18:00'));
  const deps = (db: Kysely<Database>, id: string) => ({
    db,
    state: redisStore(t, keyPrefix),
    clock,
    logger: noopLogger,
    schedulerId: id,
  });
  const a = deps(dbA, 'sched-a');
  const b = deps(dbB, 'sched-b');
  await applyScheduleSwitches(a, jst('2026-01-09T10:00'));
  t.is(await historyCount(dbA), numbers.length + 1);

  const notices = await listen(t, keyPrefix);
  const reports = await Promise.all([applyScheduleSwitches(a), applyScheduleSwitches(b)]);
  assertOnePassSwitchedAll(t, reports);
  t.is(await historyCount(dbA), 2 * numbers.length + 1);
  const evening = await listSettingHistory(dbB, { since: new Date(jst('2026-01-09T18:00')) });
  t.is(evening.length, numbers.length);
  t.deepEqual(
    [...new Set(evening.map((h) => (h.after as { pattern: string }).pattern))],
    ['night'],
  );
  for (const n of digits) t.is(await statePattern(dbB, n), 'night');
  t.deepEqual((await notices.settled()).sort(), digits, 'one notice per switched number');
});

test('even when the pass lock is not shared (it lapsed), the conditional write switches each number once', async (t) => {
  const { dbs } = await sharedDatabase(t, 3);
  await provision(dbs[0] as Kysely<Database>, { timeZone: 'Asia/Tokyo', numbers });
  const clock = new FakeClock(jst('2026-01-09T18:00'));
  // Each scheduler locks under its own prefix, so all three passes really run together.
  const schedulers = dbs.map((db, i) => ({
    db,
    state: redisStore(t, prefix()),
    clock,
    logger: noopLogger,
    schedulerId: `sched-${i}`,
  }));
  const reports = await Promise.all(schedulers.map((s) => applyScheduleSwitches(s)));
  assertOnePassSwitchedAll(t, reports);
  t.is(await historyCount(dbs[0] as Kysely<Database>), numbers.length);
  t.deepEqual(
    reports.flatMap((r) => r.failed),
    [],
  );
});

test('two scheduler services started together on the shared configuration catch up once', async (t) => {
  const { url, dbs } = await sharedDatabase(t, 1);
  const db = dbs[0] as Kysely<Database>;
  await provision(db, { timeZone: 'Asia/Tokyo', numbers });
  const keyPrefix = prefix();
  const notices = await listen(t, keyPrefix);
  const clock = new FakeClock(jst('2026-01-09T19:00'));
  const config = (id: string) =>
    loadConfig({
      argv: [],
      env: {
        DATABASE_URL: url,
        REDIS_URL: redisUrl,
        SERVER_ID: id,
        IPVOICE_STATE__KEY_PREFIX: keyPrefix,
      },
    });
  const started = await Promise.all(
    ['sched-1', 'sched-2'].map((id) =>
      startScheduler({
        config: config(id),
        logger: noopLogger,
        clock,
        cron: new HandCron().schedule,
      }),
    ),
  );
  t.teardown(async () => {
    for (const s of started) await s.close();
  });
  t.is(await historyCount(db), numbers.length);
  const appliedBy = await db
    .selectFrom('forwarding_schedule_state')
    .select('applied_by')
    .distinct()
    .execute();
  t.is(appliedBy.length, 1, 'the first to take the lock switched them all');
  t.deepEqual((await notices.settled()).sort(), digits);
});
