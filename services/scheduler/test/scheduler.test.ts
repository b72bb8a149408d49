// The service: startScheduler from the shared configuration (SQLite file, in-process
// state), its catch-up pass at start, the cron job driven by hand over a FakeClock, node-cron
// itself, and `npm run scheduler` as a process.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import test from 'ava';
import { loadConfig, repoRoot } from '@ipvoice/config';
import { migrateToLatest, openDatabase, type Database, type Kysely } from '@ipvoice/db';
import { FakeClock, noopLogger, type Logger } from '@ipvoice/sip';
import { MemoryStateStore } from '@ipvoice/state';
import { getTasks } from 'node-cron';
import {
  createScheduler,
  dailyMaintenance,
  everyMinute,
  nodeCron,
  startScheduler,
  type StandaloneScheduler,
} from '../src/scheduler.ts';
import { openSqlite } from './helpers/databases.ts';
import { HandCron } from './helpers/hand-cron.ts';
import { history, historyCount, provision, statePattern, weekdays } from './helpers/tenant.ts';

const jst = (local: string) => Date.parse(`${local}+09:00`);
const desk = '0355550100';

/** A data folder with a provisioned SQLite database, as the feature server leaves it. */
async function dataDir(
  t: { teardown(fn: () => Promise<void>): void },
  entries = undefined as Parameters<typeof provision>[1]['entries'] | undefined,
) {
  const dir = await mkdtemp(join(tmpdir(), 'ipvoice-scheduler-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const db = openDatabase(`sqlite:${join(dir, 'ipvoice.sqlite')}`);
  await migrateToLatest(db);
  await provision(db, {
    timeZone: 'Asia/Tokyo',
    numbers: ['03-5555-0100'],
    ...(entries ? { entries } : {}),
  });
  await db.destroy();
  return dir;
}

function configFor(dir: string, serverId: string) {
  return loadConfig({ argv: [], env: { DATA_DIR: dir, SERVER_ID: serverId } });
}

async function start(
  t: { teardown(fn: () => Promise<void>): void },
  options: { dir: string; serverId: string; clock: FakeClock; cron?: HandCron },
): Promise<StandaloneScheduler> {
  const scheduler = await startScheduler({
    config: configFor(options.dir, options.serverId),
    logger: noopLogger,
    clock: options.clock,
    cron: (options.cron ?? new HandCron()).schedule,
  });
  t.teardown(() => scheduler.close());
  return scheduler;
}

test('start catches up before it resolves: the state becomes what is in force, history says catch-up', async (t) => {
  const dir = await dataDir(t, [
    { days: weekdays, start: '09:00', pattern: 'office' },
    { days: weekdays, start: '12:00', pattern: 'lunch' },
    { days: weekdays, start: '13:00', pattern: 'office' },
    { days: weekdays, start: '18:00', pattern: 'night' },
  ]);
  const before = await start(t, {
    dir,
    serverId: 'sched-1',
    clock: new FakeClock(jst('2026-01-08T17:00')),
  });
  t.is(await statePattern(before.db, desk), 'office');
  await before.close();

  // Down until Friday 19:00, over five switches.
  const after = await start(t, {
    dir,
    serverId: 'sched-2',
    clock: new FakeClock(jst('2026-01-09T19:00')),
  });
  t.is(await statePattern(after.db, desk), 'night');
  const rows = await history(after.db, desk);
  t.is(rows.length, 2);
  t.like(rows[1]?.after, { pattern: 'night', reason: 'catch_up' });
  const state = await after.db
    .selectFrom('forwarding_schedule_state')
    .selectAll()
    .executeTakeFirstOrThrow();
  t.is(state.applied_by, 'sched-2');
  t.is(state.switched_at, '2026-01-09T10:00:00.000Z');
});

test('the cron job runs at second 0 of every minute; ticked minute by minute over a weekend it switches at Friday 18:00 and Monday 09:00 only', async (t) => {
  const dir = await dataDir(t);
  const clock = new FakeClock(jst('2026-01-09T17:00'));
  const cron = new HandCron();
  const scheduler = await start(t, { dir, serverId: 'sched-1', clock, cron });
  t.deepEqual(
    cron.jobs.map((j) => [j.expression, j.name]),
    [
      [everyMinute, 'forwarding-schedule'],
      [dailyMaintenance, 'maintenance'],
    ],
  );
  t.is(everyMinute, '0 * * * * *');

  const end = jst('2026-01-12T10:00');
  while (clock.now() < end) {
    clock.advance(60_000);
    await cron.tick();
  }
  const rows = await history(scheduler.db, desk);
  t.deepEqual(
    rows.map((r) => [r.createdAt, (r.after as { pattern: string }).pattern]),
    [
      ['2026-01-09T08:00:00.000Z', 'office'], // the start pass, Friday 17:00
      ['2026-01-09T09:00:00.000Z', 'night'], // Friday 18:00
      ['2026-01-12T00:00:00.000Z', 'office'], // Monday 09:00
    ],
  );
});

test('a pass that fails is logged and the next tick runs again', async (t) => {
  const db: Kysely<Database> = await openSqlite();
  await provision(db, { timeZone: 'Asia/Tokyo', numbers: ['03-5555-0100'] });
  const clock = new FakeClock(jst('2026-01-09T17:59'));
  const state = new MemoryStateStore({ clock });
  const errors: string[] = [];
  const logger: Logger = { ...noopLogger, error: (_obj, msg) => errors.push(msg ?? '') };
  const cron = new HandCron();
  const scheduler = await createScheduler({
    db,
    state,
    logger,
    clock,
    schedulerId: 'embedded',
    cron: cron.schedule,
  });
  t.teardown(async () => {
    await scheduler.close();
    await state.close();
    await db.destroy();
  });

  await db.schema.alterTable('forwarding_schedule_entries').renameTo('entries_away').execute();
  clock.advance(60_000);
  await cron.tick();
  t.deepEqual(errors, ['forwarding schedule pass failed']);
  t.is(await statePattern(db, desk), 'office');

  await db.schema.alterTable('entries_away').renameTo('forwarding_schedule_entries').execute();
  clock.advance(60_000);
  await cron.tick();
  t.is(await statePattern(db, desk), 'night');
  t.is(errors.length, 1);
});

test('runForwardingPass runs a pass on demand; close stops the cron job and closes the database', async (t) => {
  const dir = await dataDir(t);
  const clock = new FakeClock(jst('2026-01-09T10:00'));
  const cron = new HandCron();
  const scheduler = await start(t, { dir, serverId: 'sched-1', clock, cron });
  const report = await scheduler.runForwardingPass(jst('2026-01-09T18:00'));
  t.deepEqual(
    report.switched.map((s) => s.number),
    [desk],
  );
  t.is(await historyCount(scheduler.db), 2);
  await scheduler.close();
  t.true(cron.jobs[0]?.stopped);
  await t.throwsAsync(() => scheduler.db.selectFrom('numbers').selectAll().execute());
  await scheduler.close(); // twice is harmless
});

test('node-cron: the job is armed for second 0 of the next minute and gone after stop', async (t) => {
  const job = nodeCron(noopLogger)(everyMinute, 'probe-forwarding', async () => {});
  try {
    const armed = [...getTasks().values()].find((task) => task.name === 'probe-forwarding');
    const next = armed?.getNextRuns(3).map((d) => d.getTime()) ?? [];
    t.is(next.length, 3);
    for (const at of next) t.is(at % 60_000, 0, new Date(at).toISOString());
    t.deepEqual(
      next.map((at, i) => at - (next[0] ?? 0) - i * 60_000),
      [0, 0, 0],
    );
    t.true((next[0] ?? 0) - Date.now() <= 60_000);
  } finally {
    await job.stop();
  }
  t.false([...getTasks().values()].some((task) => task.name === 'probe-forwarding'));
});

test('npm run scheduler: starts on the shared configuration, catches up, stops on SIGTERM', async (t) => {
  const dir = await dataDir(t);
  const child = spawn(process.execPath, ['--import=tsx', 'services/scheduler/src/main.ts'], {
    cwd: repoRoot,
    env: { ...process.env, DATA_DIR: dir, SERVER_ID: 'sched-main', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const messages: Array<{ msg: string; switched?: number }> = [];
  for await (const line of createInterface({ input: child.stdout })) {
    const entry = JSON.parse(line) as { msg: string; switched?: number };
    messages.push(entry);
    if (entry.msg.startsWith('scheduler running')) break;
  }
  t.like(
    messages.find((m) => m.msg === 'forwarding schedules caught up'),
    { switched: 1 },
    stderr,
  );
  child.kill('SIGTERM');
  t.is(await exited, 0, stderr);

  const db = openDatabase(`sqlite:${join(dir, 'ipvoice.sqlite')}`);
  t.teardown(() => db.destroy());
  t.not(await statePattern(db, desk), undefined);
});
