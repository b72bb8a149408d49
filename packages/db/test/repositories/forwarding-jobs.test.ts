import {
  findBulkForwardingGroupById,
  finishBulkForwardingOperation,
  findBulkForwardingOperation,
  insertBulkForwardingOperation,
  insertBulkForwardingResults,
  listBulkForwardingOperations,
  listBulkForwardingResults,
  listStartedBulkMemberships,
  transitionBulkForwardingGroup,
} from '../../src/repositories/bulk-forwarding-operations.ts';
import { upsertBulkForwardingGroup } from '../../src/repositories/bulk-forwarding.ts';
import {
  listForwardingSettings,
  listScheduledPatterns,
} from '../../src/repositories/forwarding-batch-reads.ts';
import {
  findForwardingScheduleState,
  listForwardingSchedules,
  setForwardingScheduleState,
} from '../../src/repositories/forwarding-schedule-state.ts';
import {
  type ForwardingSchedule,
  type ForwardingSetting,
  findForwardingSchedule,
  replaceForwardingSchedule,
  upsertForwardingSetting,
} from '../../src/repositories/forwarding.ts';
import { upsertNumber } from '../../src/repositories/numbers.ts';
import {
  insertSettingHistory,
  listSettingHistory,
  pruneSettingHistory,
} from '../../src/repositories/setting-history.ts';
import { upsertVoiceGroup } from '../../src/repositories/voice-groups.ts';
import { eachDialect } from '../helpers/each-dialect.ts';
import { now, seedTenant } from '../helpers/tenant.ts';
import { violates } from '../helpers/violates.ts';

const dialectTest = eachDialect();
const later = (minutes: number) => new Date(now.getTime() + minutes * 60_000);

const day: ForwardingSetting = {
  enabled: false,
  unconditional: false,
  onBusy: false,
  onNoAnswer: false,
  onUnreachable: false,
  ringTimeSeconds: 20,
  activeTarget: null,
  slots: [null, null, null, null, null],
};
const night: ForwardingSetting = {
  ...day,
  enabled: true,
  unconditional: true,
  activeTarget: 'slot1',
  slots: ['0311112222', null, null, null, null],
};
const officeHours: ForwardingSchedule = {
  patterns: [
    { name: 'day', setting: day },
    { name: 'night', setting: night },
  ],
  entries: [
    { days: ['mon', 'tue', 'wed', 'thu', 'fri'], startTime: '09:00', pattern: 'day' },
    { days: ['mon', 'tue', 'wed', 'thu', 'fri'], startTime: '18:00', pattern: 'night' },
  ],
};

async function patternIds(db: Parameters<typeof listForwardingSchedules>[0], numberId: number) {
  const rows = await db
    .selectFrom('forwarding_patterns')
    .select(['id', 'name'])
    .where('number_id', '=', numberId)
    .execute();
  return Object.fromEntries(rows.map((r) => [r.name, r.id])) as Record<string, number>;
}

dialectTest('a schedule switch is written only when the pattern changes', async (t, db) => {
  const { base } = await seedTenant(db);
  await replaceForwardingSchedule(db, base.id, officeHours, now);
  const ids = await patternIds(db, base.id);
  const toNight = { numberId: base.id, entryId: null, patternId: ids.night!, appliedBy: 'sched-a' };
  t.true(await setForwardingScheduleState(db, toNight, now));
  t.false(await setForwardingScheduleState(db, { ...toNight, appliedBy: 'sched-b' }, later(1)));
  t.deepEqual(await findForwardingScheduleState(db, base.id), {
    numberId: base.id,
    entryId: null,
    patternId: ids.night!,
    switchedAt: now.toISOString(),
    appliedBy: 'sched-a',
  });
  t.true(await setForwardingScheduleState(db, { ...toNight, patternId: ids.day! }, later(2)));
  t.is((await findForwardingScheduleState(db, base.id))?.switchedAt, later(2).toISOString());
});

dialectTest('two schedulers applying the same switch at once: one writes', async (t, db) => {
  const { base } = await seedTenant(db);
  await replaceForwardingSchedule(db, base.id, officeHours, now);
  const ids = await patternIds(db, base.id);
  const results = await Promise.all(
    ['sched-a', 'sched-b', 'sched-c'].map((appliedBy) =>
      setForwardingScheduleState(
        db,
        { numberId: base.id, entryId: null, patternId: ids.night!, appliedBy },
        now,
      ),
    ),
  );
  t.is(results.filter(Boolean).length, 1);
});

dialectTest('replacing a schedule clears the switched pattern, not the state', async (t, db) => {
  const { base } = await seedTenant(db);
  await replaceForwardingSchedule(db, base.id, officeHours, now);
  const ids = await patternIds(db, base.id);
  const entry = await db
    .selectFrom('forwarding_schedule_entries')
    .select('id')
    .where('pattern_id', '=', ids.night!)
    .executeTakeFirstOrThrow();
  t.true(
    await setForwardingScheduleState(
      db,
      { numberId: base.id, entryId: entry.id, patternId: ids.night!, appliedBy: 'a' },
      now,
    ),
  );
  // An edited schedule replaces its patterns, so the state's pattern goes null.
  await replaceForwardingSchedule(
    db,
    base.id,
    { ...officeHours, entries: officeHours.entries.slice(0, 1) },
    now,
  );
  const state = await findForwardingScheduleState(db, base.id);
  t.is(state?.patternId, null);
  t.is(state?.entryId, null);
  t.is(state?.appliedBy, 'a');
  const newIds = await patternIds(db, base.id);
  t.true(
    await setForwardingScheduleState(
      db,
      { numberId: base.id, entryId: null, patternId: newIds.night!, appliedBy: 'a' },
      now,
    ),
  );
  await db.deleteFrom('numbers').where('id', '=', base.id).execute();
  t.is(await findForwardingScheduleState(db, base.id), undefined);
});

dialectTest(
  'listForwardingSchedules gives each scheduled number its zone, entries, patterns and state',
  async (t, db) => {
    const { base, base2, line, group } = await seedTenant(db);
    await upsertVoiceGroup(
      db,
      { code: group.code, name: group.name, time_zone: 'America/New_York' },
      now,
    );
    await upsertNumber(db, { number: '0312340000', kind: 'base', access_line_id: line.id }, now);
    await replaceForwardingSchedule(db, base.id, officeHours, now);
    await replaceForwardingSchedule(
      db,
      base2.id,
      {
        patterns: [{ name: 'night', setting: night }],
        entries: [{ days: ['sat', 'sun'], startTime: '00:00', pattern: 'night' }],
      },
      now,
    );
    const ids = await patternIds(db, base.id);
    await setForwardingScheduleState(
      db,
      { numberId: base.id, entryId: null, patternId: ids.day!, appliedBy: 'a' },
      now,
    );
    const scheduled = await listForwardingSchedules(db);
    t.deepEqual(
      scheduled.map((s) => s.number),
      ['0312345678', '05011112222'],
    );
    const first = scheduled[0]!;
    t.is(first.timeZone, 'America/New_York');
    t.is(first.siteId, (await db.selectFrom('sites').select('id').executeTakeFirstOrThrow()).id);
    t.deepEqual(
      first.entries.map((e) => [e.days.join(','), e.startTime, e.patternId]),
      [
        ['mon,tue,wed,thu,fri', '09:00', ids.day],
        ['mon,tue,wed,thu,fri', '18:00', ids.night],
      ],
    );
    t.deepEqual(
      first.patterns.map((p) => ({ name: p.name, setting: p.setting })),
      (await findForwardingSchedule(db, base.id)).patterns,
    );
    t.is(first.state?.patternId, ids.day);
    t.is(scheduled[1]!.state, undefined);
    t.deepEqual(
      scheduled[1]!.patterns.map((p) => p.name),
      ['night'],
    );
  },
);

dialectTest('setting history is listed newest first by number, site and time', async (t, db) => {
  const { base, base2, site, group } = await seedTenant(db);
  await insertSettingHistory(
    db,
    [
      {
        numberId: base.id,
        siteId: site.id,
        voiceGroupId: group.id,
        actor: 'admin',
        feature: 'forwarding',
        action: 'update',
        before: { enabled: false },
        after: { enabled: true },
      },
      {
        numberId: base2.id,
        siteId: site.id,
        voiceGroupId: group.id,
        actor: 'admin',
        feature: 'forwarding',
        action: 'update',
      },
    ],
    now,
  );
  await insertSettingHistory(
    db,
    [
      {
        numberId: base.id,
        siteId: site.id,
        actor: 'scheduler',
        feature: 'forwarding_schedule',
        action: 'switch',
        after: 'night',
      },
    ],
    later(10),
  );
  const forBase = await listSettingHistory(db, { numberId: base.id });
  t.deepEqual(
    forBase.map((h) => [h.actor, h.createdAt, h.before, h.after]),
    [
      ['scheduler', later(10).toISOString(), null, 'night'],
      ['admin', now.toISOString(), { enabled: false }, { enabled: true }],
    ],
  );
  t.is((await listSettingHistory(db, { siteId: site.id })).length, 3);
  t.is((await listSettingHistory(db, { siteId: site.id, since: later(5) })).length, 1);
  t.is((await listSettingHistory(db, { siteId: site.id, limit: 2 })).length, 2);
  t.is((await listSettingHistory(db, { voiceGroupId: group.id })).length, 2);
  // History outlives the number.
  await db.deleteFrom('numbers').where('id', '=', base2.id).execute();
  const orphan = (await listSettingHistory(db, { siteId: site.id })).find(
    (h) => h.numberId === null,
  );
  t.is(orphan?.action, 'update');
});

dialectTest('setting history older than 180 days is pruned', async (t, db) => {
  const { base } = await seedTenant(db);
  const day = 24 * 60 * 60 * 1000;
  const change = { numberId: base.id, actor: 'admin', feature: 'forwarding', action: 'update' };
  await insertSettingHistory(db, [change], now);
  await insertSettingHistory(db, [change, change], new Date(now.getTime() + 2 * day));
  t.is(await pruneSettingHistory(db, new Date(now.getTime() + 180 * day)), 0);
  t.is(await pruneSettingHistory(db, new Date(now.getTime() + 181 * day)), 1);
  t.is((await listSettingHistory(db, { numberId: base.id })).length, 2);
});

dialectTest('2,500 history rows go in through chunked multi-row inserts', async (t, db) => {
  const { base } = await seedTenant(db);
  const changes = Array.from({ length: 2500 }, (_, i) => ({
    numberId: base.id,
    actor: 'bulk-forwarding',
    feature: 'bulk_forwarding',
    action: 'start',
    after: { target: `03${String(i).padStart(8, '0')}` },
  }));
  await insertSettingHistory(db, changes, now);
  t.is((await listSettingHistory(db, { numberId: base.id, limit: 5000 })).length, 2500);
});

dialectTest('a group moves state only from an expected state, one racer wins', async (t, db) => {
  const { site, base, base2 } = await seedTenant(db);
  await upsertBulkForwardingGroup(
    db,
    { siteId: site.id, name: 'disaster', memberNumberIds: [base2.id, base.id] },
    now,
  );
  const group = await db
    .selectFrom('bulk_forwarding_groups')
    .select('id')
    .executeTakeFirstOrThrow();
  const found = await findBulkForwardingGroupById(db, group.id);
  t.is(found?.state, 'stopped');
  t.deepEqual(found?.members, [
    { numberId: base.id, number: '0312345678' },
    { numberId: base2.id, number: '05011112222' },
  ]);
  t.is(await findBulkForwardingGroupById(db, group.id + 1000), undefined);

  const moved = await Promise.all([
    transitionBulkForwardingGroup(db, group.id, ['stopped'], 'starting', now),
    transitionBulkForwardingGroup(db, group.id, ['stopped'], 'starting', now),
  ]);
  t.deepEqual(moved.filter(Boolean).length, 1);
  t.false(
    await transitionBulkForwardingGroup(db, group.id, ['stopped', 'started'], 'stopping', now),
  );
  t.deepEqual(await listStartedBulkMemberships(db), []);
  t.true(await transitionBulkForwardingGroup(db, group.id, ['starting'], 'started', later(1)));
  const after = await findBulkForwardingGroupById(db, group.id);
  t.is(after?.state, 'started');
  t.is(after?.updated_at, later(1).toISOString());
  // Started without a recorded start operation: no target to follow.
  t.deepEqual(await listStartedBulkMemberships(db), [
    { numberId: base.id, groupId: group.id, target: null },
    { numberId: base2.id, groupId: group.id, target: null },
  ]);
  // The latest finished start records each member's slot-5 target (or its refusal).
  const start = await insertBulkForwardingOperation(
    db,
    { groupId: group.id, kind: 'start', actor: 'admin1' },
    later(2),
  );
  await insertBulkForwardingResults(db, start, [
    {
      number: '0312345678',
      outcome: 'error',
      reason: 'slot 5 has no forwarding target',
      target: null,
    },
    { number: '05011112222', outcome: 'ok', reason: null, target: '09012345678' },
  ]);
  await finishBulkForwardingOperation(
    db,
    start,
    { status: 'done', okCount: 1, errorCount: 1 },
    later(3),
  );
  t.deepEqual(await listStartedBulkMemberships(db, [base2.id]), [
    { numberId: base2.id, groupId: group.id, target: '09012345678' },
  ]);
  t.deepEqual(await listStartedBulkMemberships(db, [base.id]), [
    { numberId: base.id, groupId: group.id, target: null },
  ]);
  t.deepEqual(await listStartedBulkMemberships(db, []), []);
});

dialectTest('an operation runs, finishes and keeps its per-number results', async (t, db) => {
  const { site } = await seedTenant(db);
  await upsertBulkForwardingGroup(db, { siteId: site.id, name: 'g', memberNumberIds: [] }, now);
  const group = await db
    .selectFrom('bulk_forwarding_groups')
    .select('id')
    .executeTakeFirstOrThrow();
  const id = await insertBulkForwardingOperation(
    db,
    { groupId: group.id, kind: 'start', actor: 'admin1' },
    now,
  );
  t.like(await findBulkForwardingOperation(db, id), {
    status: 'running',
    kind: 'start',
    actor: 'admin1',
    started_at: now.toISOString(),
    finished_at: null,
    ok_count: 0,
    error_count: 0,
  });
  await insertBulkForwardingResults(db, id, [
    { number: '05011112222', outcome: 'ok', reason: null, target: '09011112222' },
    { number: '0312345678', outcome: 'error', reason: 'slot 5 is empty' },
  ]);
  await finishBulkForwardingOperation(
    db,
    id,
    { status: 'done', okCount: 1, errorCount: 1 },
    later(1),
  );
  t.like(await findBulkForwardingOperation(db, id), {
    status: 'done',
    finished_at: later(1).toISOString(),
    ok_count: 1,
    error_count: 1,
  });
  t.deepEqual(await listBulkForwardingResults(db, id), [
    { number: '0312345678', outcome: 'error', reason: 'slot 5 is empty', target: null },
    { number: '05011112222', outcome: 'ok', reason: null, target: '09011112222' },
  ]);
  const second = await insertBulkForwardingOperation(
    db,
    { groupId: group.id, kind: 'stop', actor: 'admin2' },
    later(2),
  );
  t.deepEqual(
    (await listBulkForwardingOperations(db, group.id)).map((o) => o.id),
    [second, id],
  );
  await violates(
    t,
    db
      .insertInto('bulk_forwarding_operations')
      .values({
        group_id: group.id,
        kind: 'pause' as 'start',
        status: 'running',
        actor: 'x',
        started_at: '',
      })
      .execute(),
    'check',
    'bulk_forwarding_operations_kind',
  );
  await violates(
    t,
    insertBulkForwardingResults(db, id, [{ number: '0312345678', outcome: 'ok', reason: null }]),
    'unique',
  );
  await violates(
    t,
    insertBulkForwardingResults(db, id, [
      { number: '0399999999', outcome: 'maybe' as 'ok', reason: null },
    ]),
    'check',
    'bulk_forwarding_results_outcome',
  );
  // Results go with their group.
  await db.deleteFrom('bulk_forwarding_groups').where('id', '=', group.id).execute();
  t.deepEqual(await listBulkForwardingResults(db, id), []);
});

dialectTest(
  'own settings and switched patterns of many numbers are read in one go',
  async (t, db) => {
    const { base, base2, line } = await seedTenant(db);
    const third = (
      await upsertNumber(db, { number: '0312340000', kind: 'base', access_line_id: line.id }, now)
    ).row;
    await upsertForwardingSetting(db, base.id, night, now);
    await upsertForwardingSetting(db, base2.id, day, now);
    await replaceForwardingSchedule(db, base2.id, officeHours, now);
    await replaceForwardingSchedule(db, third.id, officeHours, now);
    const ids2 = await patternIds(db, base2.id);
    await setForwardingScheduleState(
      db,
      { numberId: base2.id, entryId: null, patternId: ids2.night!, appliedBy: 'a' },
      now,
    );
    const own = await listForwardingSettings(db, [base.id, base2.id, third.id]);
    t.deepEqual([...own.keys()].sort(), [base.id, base2.id].sort());
    t.deepEqual(own.get(base.id), night);
    t.deepEqual(own.get(base2.id), day);
    const scheduled = await listScheduledPatterns(db, [base.id, base2.id, third.id]);
    t.deepEqual([...scheduled.entries()], [[base2.id, night]]);
    t.is((await listForwardingSettings(db, [])).size, 0);
    t.is((await listScheduledPatterns(db, [])).size, 0);
  },
);
