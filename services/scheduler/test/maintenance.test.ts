// The maintenance pass: setting history past 180 days is deleted (SPEC §4), bulk-forwarding
// groups left `starting`/`stopping` by a dead operation are put back (SPEC §3.3); run by
// createScheduler at start and daily at 03:17, under a lock shared by every scheduler.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import test from 'ava';
import {
  addScreeningCounts,
  claimDueMails,
  enqueueMail,
  finishJob,
  insertJob,
  insertVoicemailMessage,
  setVoicemailGreeting,
  markMailFailed,
  markMailRetry,
  markMailSent,
  findBulkForwardingGroupById,
  findBulkForwardingOperation,
  insertBulkForwardingOperation,
  insertSettingHistory,
  listSettingHistory,
  transitionBulkForwardingGroup,
  upsertBulkForwardingGroup,
  type Database,
  type Kysely,
} from '@ipvoice/db';
import { FakeClock, noopLogger, type Logger } from '@ipvoice/sip';
import {
  MemoryBackend,
  MemoryStateStore,
  RedisStateStore,
  settingsChangedChannel,
  type StateStore,
} from '@ipvoice/state';
import type { UsageExportStatus, UsageTables } from '@ipvoice/usage';
import { getTasks } from 'node-cron';
import { maintenancePassLock, runMaintenance, type MaintenanceDeps } from '../src/maintenance.ts';
import { createScheduler, dailyMaintenance, nodeCron } from '../src/scheduler.ts';
import { openSqlite, postgresDatabase, redisUrl } from './helpers/databases.ts';
import { HandCron } from './helpers/hand-cron.ts';
import { numberId, provision } from './helpers/tenant.ts';

const postgres = postgresDatabase();
const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
/** The instant of the pass in most tests. */
const T = Date.parse('2026-07-01T03:17:00+09:00');
const desk = '0355550100';
const reception = '0355550101';

type Teardown = { teardown(fn: () => Promise<void> | void): void };

const dialects = [
  { name: 'sqlite', open: openSqlite },
  { name: 'postgres', open: async () => (await postgres.schema()).open() },
] as const;

async function openDb(t: Teardown, dialect: (typeof dialects)[number]) {
  const db: Kysely<Database> = await dialect.open();
  t.teardown(() => db.destroy());
  return db;
}

function memoryStore(t: Teardown, backend = new MemoryBackend()): MemoryStateStore {
  const store = new MemoryStateStore({ backend });
  t.teardown(() => store.close());
  return store;
}

function redisStore(t: Teardown, keyPrefix: string): StateStore {
  const store = new RedisStateStore({ url: redisUrl, keyPrefix });
  t.teardown(() => store.close());
  return store;
}

function depsOf(db: Kysely<Database>, state: StateStore, logger: Logger = noopLogger) {
  return { db, state, logger, clock: new FakeClock(T) } satisfies MaintenanceDeps;
}

/** One history row written at `at`, told apart by its action. */
async function historyAt(db: Kysely<Database>, at: number, action: string): Promise<void> {
  await insertSettingHistory(
    db,
    [{ actor: 'admin', feature: 'test', action, after: { at: new Date(at).toISOString() } }],
    new Date(at),
  );
}

async function testHistory(db: Kysely<Database>): Promise<string[]> {
  const rows = await db
    .selectFrom('setting_history')
    .select('action')
    .where('feature', '=', 'test')
    .orderBy('action')
    .execute();
  return rows.map((r) => r.action);
}

/**
 * A site with the desk and reception numbers and a bulk-forwarding group of both, left
 * `starting` by a start that began `startedAt` and never finished (its process died).
 */
async function stuckGroup(
  db: Kysely<Database>,
  startedAt: number,
  options: { name?: string; kind?: 'start' | 'stop'; provisioned?: boolean } = {},
) {
  if (options.provisioned !== true)
    await provision(db, { timeZone: 'Asia/Tokyo', numbers: ['03-5555-0100', '03-5555-0101'] });
  const members = [await numberId(db, desk), await numberId(db, reception)];
  const site = await db.selectFrom('sites').select('id').executeTakeFirstOrThrow();
  const name = options.name ?? 'disaster';
  await upsertBulkForwardingGroup(
    db,
    { siteId: site.id, name, memberNumberIds: members },
    new Date(startedAt - DAY_MS),
  );
  const group = await db
    .selectFrom('bulk_forwarding_groups')
    .select('id')
    .where('name', '=', name)
    .executeTakeFirstOrThrow();
  const kind = options.kind ?? 'start';
  const via = kind === 'start' ? 'starting' : 'stopping';
  await transitionBulkForwardingGroup(db, group.id, ['stopped'], via, new Date(startedAt));
  const operationId = await insertBulkForwardingOperation(
    db,
    { groupId: group.id, kind, actor: 'admin-tanaka' },
    new Date(startedAt),
  );
  return { groupId: group.id, siteId: site.id, operationId };
}

const groupState = async (db: Kysely<Database>, groupId: number) =>
  (await findBulkForwardingGroupById(db, groupId))?.state;

for (const dialect of dialects) {
  test(`${dialect.name}: a pass deletes setting history older than 180 days and keeps the rest`, async (t) => {
    const db = await openDb(t, dialect);
    await historyAt(db, T - 400 * DAY_MS, 'a-400-days');
    await historyAt(db, T - 180 * DAY_MS - 1, 'b-180-days-and-1-ms');
    await historyAt(db, T - 180 * DAY_MS, 'c-180-days');
    await historyAt(db, T - DAY_MS, 'd-yesterday');
    const report = await runMaintenance(depsOf(db, memoryStore(t)), T);
    t.deepEqual(report, {
      prunedHistoryRows: 2,
      prunedCounterRows: 0,
      prunedMailRows: 0,
      prunedVoicemailFiles: 0,
      usageExports: { pruned: 0, failed: 0 },
      prunedJobs: 0,
      bulk: { recovered: [], failedOperations: [], failed: [] },
      failed: [],
    });
    t.deepEqual(await testHistory(db), ['c-180-days', 'd-yesterday']);
    // Nothing more to prune a second time.
    t.is((await runMaintenance(depsOf(db, memoryStore(t)), T)).prunedHistoryRows, 0);
  });

  test(`${dialect.name}: a pass keeps screening counters of the last three UTC months only`, async (t) => {
    const db = await openDb(t, dialect);
    await provision(db, { timeZone: 'Asia/Tokyo', numbers: ['03-5555-0100'] });
    const id = await numberId(db, desk);
    const months = ['2025-12', '2026-01', '2026-02', '2026-03', '2026-04'];
    await addScreeningCounts(
      db,
      months.map((month) => ({ numberId: id, feature: 'nuisance_blocking', month, count: 1 })),
      new Date(T),
    );
    // 2026-04-10 UTC: March is "last month" everywhere; February can be, west of UTC, on
    // the 1st. Earlier months are no one's.
    const report = await runMaintenance(
      depsOf(db, memoryStore(t)),
      Date.parse('2026-04-10T00:00:00Z'),
    );
    t.is(report.prunedCounterRows, 2);
    const left = await db
      .selectFrom('screening_counters')
      .select('month')
      .orderBy('month')
      .execute();
    t.deepEqual(
      left.map((r) => r.month),
      ['2026-02', '2026-03', '2026-04'],
    );
  });

  test(`${dialect.name}: a pass deletes sent and failed mails older than 30 days, never queued ones`, async (t) => {
    const db = await openDb(t, dialect);
    const mail = (subject: string) => ({
      kind: 'test' as const,
      recipients: ['a@example.com'],
      subject,
      textBody: 'x',
    });
    const old = new Date(T - 31 * DAY_MS);
    const ids = {
      sent: await enqueueMail(db, mail('old-sent'), old),
      failed: await enqueueMail(db, mail('old-failed'), old),
      queued: await enqueueMail(db, mail('old-queued'), old),
      recent: await enqueueMail(db, mail('recent-sent'), new Date(T - DAY_MS)),
    };
    // Only a claimed mail can be marked; the third goes back to the queue to wait.
    t.is((await claimDueMails(db, new Date(T - DAY_MS), 10, 60_000)).length, 4);
    await markMailSent(db, ids.sent, old);
    await markMailFailed(db, ids.failed, 'refused');
    await markMailRetry(db, ids.queued, 'try later', new Date(T + DAY_MS));
    await markMailSent(db, ids.recent, new Date(T - DAY_MS));
    const report = await runMaintenance(depsOf(db, memoryStore(t)), T);
    t.is(report.prunedMailRows, 2);
    const left = await db.selectFrom('mail_queue').select('subject').orderBy('subject').execute();
    t.deepEqual(
      left.map((r) => r.subject),
      ['old-queued', 'recent-sent'],
    );
  });

  test(`${dialect.name}: a pass deletes voicemail files nothing refers to, once a day old`, async (t) => {
    const db = await openDb(t, dialect);
    await provision(db, { timeZone: 'Asia/Tokyo', numbers: ['03-5555-0100'] });
    const id = await numberId(db, desk);
    const dir = await mkdtemp(join(tmpdir(), 'ipvoice-vm-'));
    t.teardown(() => rm(dir, { recursive: true, force: true }));
    const write = async (relative: string, ageMs: number) => {
      await mkdir(join(dir, dirname(relative)), { recursive: true });
      await writeFile(join(dir, relative), 'RIFF');
      const at = new Date(T - ageMs);
      await utimes(join(dir, relative), at, at);
    };
    await write(`${desk}/kept.wav`, 3 * DAY_MS);
    await write(`${desk}/greeting-1.wav`, 3 * DAY_MS);
    await write(`${desk}/orphan.wav`, 2 * DAY_MS);
    await write(`${desk}/being-written.wav`, 3600_000);
    await write('0399990000/gone-number.wav', 5 * DAY_MS);
    await insertVoicemailMessage(
      db,
      {
        id: 'kept',
        numberId: id,
        caller: null,
        callerAnonymity: null,
        called: desk,
        receivedAt: new Date(T - 3 * DAY_MS),
        durationMs: 1000,
        audioFile: `${desk}/kept.wav`,
        callId: null,
      },
      new Date(T - 3 * DAY_MS),
    );
    await setVoicemailGreeting(db, id, `${desk}/greeting-1.wav`, new Date(T));
    const report = await runMaintenance(
      { ...depsOf(db, memoryStore(t)), voicemailStoreDir: dir },
      T,
    );
    t.is(report.prunedVoicemailFiles, 2);
    t.deepEqual((await readdir(join(dir, desk))).sort(), [
      'being-written.wav',
      'greeting-1.wav',
      'kept.wav',
    ]);
    await t.throwsAsync(readdir(join(dir, '0399990000')), { code: 'ENOENT' });
  });

  test(`${dialect.name}: a pass deletes usage exports past 3 days with their files, and fails interrupted ones`, async (t) => {
    const db = await openDb(t, dialect);
    const dataDir = await mkdtemp(join(tmpdir(), 'ipvoice-data-'));
    t.teardown(() => rm(dataDir, { recursive: true, force: true }));
    await mkdir(join(dataDir, 'exports'), { recursive: true });
    const exportRow = (id: string, status: UsageExportStatus, createdAt: number) => ({
      id,
      requested_by: 'sa',
      scope: '{}',
      period_from: new Date(createdAt).toISOString(),
      period_to: new Date(createdAt).toISOString(),
      status,
      files: JSON.stringify(status === 'done' ? [`usage-${id}-001.csv`] : []),
      row_count: 0,
      error: null,
      created_at: new Date(createdAt).toISOString(),
      finished_at: null,
      expires_at: new Date(createdAt + 3 * DAY_MS).toISOString(),
    });
    const usage = db.withTables<UsageTables>();
    await usage
      .insertInto('usage_exports')
      .values([
        exportRow('old', 'done', T - 4 * DAY_MS),
        exportRow('recent', 'done', T - DAY_MS),
        exportRow('interrupted', 'running', T - 2 * 3600_000),
        exportRow('underway', 'running', T - 60_000),
      ])
      .execute();
    await writeFile(join(dataDir, 'exports', 'usage-old-001.csv'), 'x');
    await writeFile(join(dataDir, 'exports', 'usage-recent-001.csv'), 'x');
    const report = await runMaintenance({ ...depsOf(db, memoryStore(t)), dataDir }, T);
    t.deepEqual(report.usageExports, { pruned: 1, failed: 1 });
    const rows = await usage
      .selectFrom('usage_exports')
      .select(['id', 'status'])
      .orderBy('id')
      .execute();
    t.deepEqual(rows, [
      { id: 'interrupted', status: 'failed' },
      { id: 'recent', status: 'done' },
      { id: 'underway', status: 'running' },
    ]);
    t.deepEqual(await readdir(join(dataDir, 'exports')), ['usage-recent-001.csv']);
  });

  test(`${dialect.name}: a pass deletes jobs finished over 30 days ago with their result files`, async (t) => {
    const db = await openDb(t, dialect);
    await provision(db, { timeZone: 'Asia/Tokyo', numbers: ['03-5555-0100'] });
    const site = await db.selectFrom('sites').select('id').executeTakeFirstOrThrow();
    const dataDir = await mkdtemp(join(tmpdir(), 'ipvoice-data-'));
    t.teardown(() => rm(dataDir, { recursive: true, force: true }));
    await mkdir(join(dataDir, 'jobs'), { recursive: true });
    const job = async (name: string, finishedAgo: number | null) => {
      const made = await insertJob(
        db,
        { kind: 'csv_upload', siteId: site.id, actor: name },
        new Date(T - 40 * DAY_MS),
      );
      if (finishedAgo === null) return made.id;
      const file = `${made.id}-${name}.csv`;
      await writeFile(join(dataDir, 'jobs', file), 'x');
      await finishJob(
        db,
        made.id,
        { status: 'done', summary: {}, resultFile: file },
        new Date(T - finishedAgo),
      );
      return made.id;
    };
    await job('old', 31 * DAY_MS);
    const recent = await job('recent', 29 * DAY_MS);
    const running = await job('running', null);
    const report = await runMaintenance({ ...depsOf(db, memoryStore(t)), dataDir }, T);
    t.is(report.prunedJobs, 1);
    const left = await db.selectFrom('jobs').select('id').orderBy('id').execute();
    t.deepEqual(
      left.map((r) => r.id),
      [recent, running],
    );
    t.deepEqual(await readdir(join(dataDir, 'jobs')), [`${recent}-recent.csv`]);
  });

  test(`${dialect.name}: a pass puts back a group left starting by a dead start, not one younger than 10 minutes`, async (t) => {
    const db = await openDb(t, dialect);
    const dead = await stuckGroup(db, T - 30 * MINUTE_MS);
    const live = await stuckGroup(db, T - 2 * MINUTE_MS, {
      name: 'inspection',
      kind: 'stop',
      provisioned: true,
    });
    const backend = new MemoryBackend();
    const featureServer = memoryStore(t, backend);
    let hear!: (message: string) => void;
    const heard = new Promise<string>((resolve) => (hear = resolve));
    await featureServer.subscribe(settingsChangedChannel, (m) => hear(m));
    const report = await runMaintenance(depsOf(db, memoryStore(t, backend)), T);
    t.deepEqual(report.bulk, {
      recovered: [{ groupId: dead.groupId, from: 'starting', to: 'stopped' }],
      failedOperations: [dead.operationId],
      failed: [],
    });
    t.deepEqual(report.failed, []);
    t.is(await groupState(db, dead.groupId), 'stopped');
    t.like(await findBulkForwardingOperation(db, dead.operationId), {
      status: 'failed',
      finished_at: new Date(T).toISOString(),
    });
    t.is(await groupState(db, live.groupId), 'stopping');
    t.like(await findBulkForwardingOperation(db, live.operationId), { status: 'running' });
    t.deepEqual((await heard).split(',').sort(), [desk, reception]);
    const rows = await listSettingHistory(db, { siteId: dead.siteId });
    t.is(rows.length, 1);
    t.like(rows[0], {
      actor: 'scheduler',
      feature: 'bulk_forwarding',
      action: 'recover',
      numberId: null,
      createdAt: new Date(T).toISOString(),
    });
    t.like(rows[0]?.before, { group: 'disaster', state: 'starting' });
    t.like(rows[0]?.after, { group: 'disaster', state: 'stopped' });
  });
}

test('createScheduler runs a maintenance pass before it resolves, then the daily job at 03:17', async (t) => {
  const db = await openDb(t, dialects[0]);
  const stuck = await stuckGroup(db, T - 30 * MINUTE_MS);
  await historyAt(db, T - 200 * DAY_MS, 'a-200-days');
  await historyAt(db, T - 179 * DAY_MS, 'b-179-days');
  const clock = new FakeClock(T);
  const cron = new HandCron();
  const scheduler = await createScheduler({
    db,
    state: memoryStore(t),
    logger: noopLogger,
    clock,
    schedulerId: 'sched-1',
    cron: cron.schedule,
  });
  t.teardown(() => scheduler.close());
  t.deepEqual(await testHistory(db), ['b-179-days']);
  t.is(await groupState(db, stuck.groupId), 'stopped');

  const job = cron.jobs.find((j) => j.name === 'maintenance');
  t.is(job?.expression, dailyMaintenance);
  t.is(dailyMaintenance, '0 17 3 * * *');
  clock.advance(DAY_MS);
  await job?.task();
  t.deepEqual(await testHistory(db), ['b-179-days']);
  clock.advance(DAY_MS);
  await job?.task();
  t.deepEqual(await testHistory(db), []);

  // On demand, at a chosen instant: 181 days on, every row so far (the recovery's, the
  // start pass's switch, this one) has aged out.
  await historyAt(db, T, 'c-today');
  const rows = await listSettingHistory(db, { limit: 100 });
  t.deepEqual([...new Set(rows.map((r) => r.createdAt))], [new Date(T).toISOString()]);
  const report = await scheduler.runMaintenancePass(T + 181 * DAY_MS);
  t.is(report.prunedHistoryRows, rows.length);
  t.deepEqual(await listSettingHistory(db, {}), []);
  await scheduler.close();
  t.true(job?.stopped);
});

test('a step that fails is logged and the other still runs', async (t) => {
  const db = await openDb(t, dialects[0]);
  await historyAt(db, T - 200 * DAY_MS, 'a-200-days');
  await db.schema.alterTable('bulk_forwarding_operations').renameTo('operations_away').execute();
  const errors: string[] = [];
  const logger: Logger = { ...noopLogger, error: (_obj, msg) => errors.push(msg ?? '') };
  const report = await runMaintenance(depsOf(db, memoryStore(t), logger), T);
  t.is(report.prunedHistoryRows, 1);
  t.deepEqual(report.failed, ['recover_bulk_operations']);
  t.deepEqual(errors, ['bulk forwarding recovery failed']);
});

test('a maintenance pass that cannot run is logged; the scheduler starts and switches anyway', async (t) => {
  const db = await openDb(t, dialects[0]);
  await provision(db, { timeZone: 'Asia/Tokyo', numbers: ['03-5555-0100'] });
  const store = memoryStore(t);
  // The state store refuses the maintenance lock only (say, a Redis ACL without that key).
  const withLock = store.withLock.bind(store);
  store.withLock = (name, ttlMs, fn) =>
    name === maintenancePassLock ? Promise.reject(new Error('NOPERM')) : withLock(name, ttlMs, fn);
  const errors: string[] = [];
  const logger: Logger = { ...noopLogger, error: (_obj, msg) => errors.push(msg ?? '') };
  const cron = new HandCron();
  const scheduler = await createScheduler({
    db,
    state: store,
    logger,
    clock: new FakeClock(T),
    schedulerId: 'sched-1',
    cron: cron.schedule,
  });
  t.teardown(() => scheduler.close());
  t.deepEqual(errors, ['maintenance pass failed']);
  t.not(
    await db.selectFrom('forwarding_schedule_state').select('pattern_id').executeTakeFirst(),
    undefined,
  );
  await cron.jobs.find((j) => j.name === 'maintenance')?.task();
  t.deepEqual(errors, ['maintenance pass failed', 'maintenance pass failed']);
});

test('a pass waits for the maintenance lock another scheduler holds', async (t) => {
  const db = await openDb(t, dialects[0]);
  await historyAt(db, T - 200 * DAY_MS, 'a-before');
  const backend = new MemoryBackend();
  const other = memoryStore(t, backend);
  const ours = memoryStore(t, backend);
  let asked!: (name: string) => void;
  const lockAsked = new Promise<string>((resolve) => (asked = resolve));
  const withLock = ours.withLock.bind(ours);
  ours.withLock = (name, ttlMs, fn) => {
    asked(name);
    return withLock(name, ttlMs, fn);
  };
  let holding!: () => void;
  let release!: () => void;
  const held = new Promise<void>((resolve) => (holding = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const otherPass = other.withLock(maintenancePassLock, 60_000, async () => {
    holding();
    await released;
  });
  await held;
  const pass = runMaintenance(depsOf(db, ours), T);
  t.is(await lockAsked, maintenancePassLock);
  // Written while our pass waits: SQLite runs queries in the order asked, so a pass that had
  // not waited would have run its delete before this insert.
  await historyAt(db, T - 200 * DAY_MS, 'b-while-waiting');
  release();
  await otherPass;
  t.is((await pass).prunedHistoryRows, 2);
  t.deepEqual(await testHistory(db), []);
});

for (const lock of ['shared', 'not shared'] as const) {
  test(`two schedulers on PostgreSQL + Redis run the pass at once (lock ${lock}): each row pruned once, one recovery`, async (t) => {
    const schema = await postgres.schema();
    const dbA = await schema.open();
    const dbB = await schema.open();
    t.teardown(async () => {
      await dbA.destroy();
      await dbB.destroy();
    });
    const stuck = await stuckGroup(dbA, T - 30 * MINUTE_MS, { kind: 'stop' });
    for (let i = 0; i < 20; i++) await historyAt(dbA, T - (181 + i) * DAY_MS, `old-${i}`);
    const prefix = () => `ipvoice-test-${randomBytes(6).toString('hex')}:`;
    const shared = prefix();
    const store = () => redisStore(t, lock === 'shared' ? shared : prefix());
    const reports = await Promise.all([
      runMaintenance(depsOf(dbA, store()), T),
      runMaintenance(depsOf(dbB, store()), T),
    ]);
    t.is(
      reports.reduce((n, r) => n + r.prunedHistoryRows, 0),
      20,
    );
    t.deepEqual(
      reports.flatMap((r) => r.bulk.recovered),
      [{ groupId: stuck.groupId, from: 'stopping', to: 'started' }],
    );
    t.deepEqual(
      reports.flatMap((r) => r.failed),
      [],
    );
    t.is(await groupState(dbB, stuck.groupId), 'started');
    t.is((await listSettingHistory(dbB, { siteId: stuck.siteId })).length, 1);
    t.deepEqual(await testHistory(dbB), []);
  });
}

test('node-cron: the maintenance job is armed for 03:17:00 local time, once a day', async (t) => {
  const job = nodeCron(noopLogger)(dailyMaintenance, 'probe-maintenance', async () => {});
  try {
    const armed = [...getTasks().values()].find((task) => task.name === 'probe-maintenance');
    const next = armed?.getNextRuns(3) ?? [];
    t.is(next.length, 3);
    for (const at of next)
      t.deepEqual([at.getHours(), at.getMinutes(), at.getSeconds()], [3, 17, 0], at.toString());
    // A day apart, give or take a DST change.
    for (let i = 1; i < next.length; i++) {
      const gap = (next[i]?.getTime() ?? 0) - (next[i - 1]?.getTime() ?? 0);
      t.true(Math.abs(gap - DAY_MS) <= 3600_000, `${gap} ms`);
    }
  } finally {
    await job.stop();
  }
});
