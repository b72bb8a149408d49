import { performance } from 'node:perf_hooks';
import {
  findBulkForwardingGroupById,
  findBulkForwardingOperation,
  insertBulkForwardingOperation,
  listBulkForwardingOperations,
  listBulkForwardingResults,
  listSettingHistory,
  replaceForwardingSchedule,
  setForwardingScheduleState,
  transitionBulkForwardingGroup,
  upsertBulkForwardingGroup,
} from '@ipvoice/db';
import { bulkStartReasons } from '@ipvoice/features';
import { claimSites, ForwardingCsvConflictError } from '@ipvoice/forwarding-csv';
import { settingsChangedChannel, type StateStore } from '@ipvoice/state';
import {
  BulkForwardingFailedError,
  BulkForwardingRefusedError,
  type ForwardingOpsDeps,
  type Logger,
  loadBulkResultCsv,
  startBulkForwarding,
  stopBulkForwarding,
  stopReasons,
} from '../src/index.ts';
import { eachSetup } from './helpers/matrix.ts';
import { failInsertsInto, pauseSelectsFrom } from './helpers/plugins.ts';
import { memberNumber, now, ownWithSlot5, seedGroup, slot5Target } from './helpers/seed.ts';

const setupTest = eachSetup();

const silent: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

function depsOf(db: ForwardingOpsDeps['db'], state: StateStore, at = now): ForwardingOpsDeps {
  return { db, state, clock: { now: () => at.getTime() }, logger: silent };
}

/** Subscribes another server's store; `next` is the first settings-changed message after. */
async function listenForSettingsChange(store: StateStore): Promise<{ next: Promise<string> }> {
  let resolve!: (message: string) => void;
  const message = new Promise<string>((r) => (resolve = r));
  const unsubscribe = await store.subscribe(settingsChangedChannel, (m) => resolve(m));
  return { next: message.finally(unsubscribe) };
}

setupTest(
  'start then stop 1,000 members: 999 ok, the one without slot 5 reported',
  async (t, { db, state }) => {
    const seeded = await seedGroup(db, 1000, { withoutSlot5: [7] });
    const featureServer = state.open();
    const deps = depsOf(db, state.open());

    const startMessage = await listenForSettingsChange(featureServer);
    const t0 = performance.now();
    const started = await startBulkForwarding(deps, seeded.groupId, 'admin-tanaka');
    const startMs = performance.now() - t0;
    t.log(`start of 1,000 members: ${startMs.toFixed(1)} ms`);

    t.is(started.state, 'started');
    t.is(started.ok, 999);
    t.deepEqual(started.errors, [{ number: memberNumber(7), reason: bulkStartReasons.noSlot5 }]);
    t.is((await findBulkForwardingGroupById(db, seeded.groupId))?.state, 'started');
    t.like(await findBulkForwardingOperation(db, started.operationId), {
      kind: 'start',
      status: 'done',
      actor: 'admin-tanaka',
      ok_count: 999,
      error_count: 1,
      finished_at: now.toISOString(),
    });
    const results = await listBulkForwardingResults(db, started.operationId);
    t.is(results.length, 1000);
    t.deepEqual(
      results.filter((r) => r.outcome === 'error').map((r) => r.number),
      [memberNumber(7)],
    );
    // Every member's cache entry is dropped by one message.
    t.deepEqual(
      (await startMessage.next).split(',').sort(),
      seeded.members.map((m) => m.number),
    );

    const lines = started.csv.split('\r\n');
    t.true(started.csv.startsWith('\uFEFFnumber,result,reason\r\n'));
    t.is(lines.length, 1002); // header, 1,000 rows, and the empty string after the last CRLF
    t.true(lines.includes(`${memberNumber(0)},ok,`));
    t.true(lines.includes(`${memberNumber(7)},error,${bulkStartReasons.noSlot5}`));
    t.is(await loadBulkResultCsv(db, started.operationId), started.csv);

    const history = await listSettingHistory(db, { siteId: seeded.siteId, limit: 5000 });
    t.is(history.length, 1000);
    const first = history.find((h) => h.numberId === seeded.members[0]!.id);
    t.like(first, {
      actor: 'admin-tanaka',
      feature: 'bulk_forwarding',
      action: 'start',
      voiceGroupId: seeded.voiceGroupId,
      createdAt: now.toISOString(),
    });
    t.deepEqual(first?.before, { source: 'own', target: '0311112222' });
    t.deepEqual(first?.after, { source: 'bulk', target: slot5Target(0) });
    const failed = history.find((h) => h.numberId === seeded.members[7]!.id);
    t.deepEqual(failed?.after, {
      source: 'own',
      target: '0311112222',
      reason: bulkStartReasons.noSlot5,
    });

    const stopMessage = await listenForSettingsChange(featureServer);
    const t1 = performance.now();
    const stopped = await stopBulkForwarding(deps, seeded.groupId, 'admin-sato');
    const stopMs = performance.now() - t1;
    t.log(`stop of 1,000 members: ${stopMs.toFixed(1)} ms`);
    t.is(stopped.state, 'stopped');
    t.is(stopped.ok, 1000);
    t.deepEqual(stopped.errors, []);
    t.is((await findBulkForwardingGroupById(db, seeded.groupId))?.state, 'stopped');
    t.is((await stopMessage.next).split(',').length, 1000);
    const stopHistory = (
      await listSettingHistory(db, { siteId: seeded.siteId, limit: 5000 })
    ).filter((h) => h.action === 'stop');
    t.is(stopHistory.length, 1000);
    t.deepEqual(stopHistory.find((h) => h.numberId === seeded.members[0]!.id)?.after, {
      source: 'own',
      target: '0311112222',
    });
  },
);

setupTest('a start or stop that would change nothing is refused', async (t, { db, state }) => {
  const seeded = await seedGroup(db, 3);
  const deps = depsOf(db, state.open());
  const stopWhileStopped = await t.throwsAsync(stopBulkForwarding(deps, seeded.groupId, 'a'), {
    instanceOf: BulkForwardingRefusedError,
    message: 'bulk-forwarding group "disaster" is already stopped',
  });
  t.is(stopWhileStopped?.refusal, 'already-stopped');
  await startBulkForwarding(deps, seeded.groupId, 'a');
  const startWhileStarted = await t.throwsAsync(startBulkForwarding(deps, seeded.groupId, 'b'), {
    instanceOf: BulkForwardingRefusedError,
    message: 'bulk-forwarding group "disaster" is already started',
  });
  t.is(startWhileStarted?.refusal, 'already-started');
  // Refusals leave no operation behind.
  t.is((await listBulkForwardingOperations(db, seeded.groupId)).length, 1);
});

setupTest(
  'while another server has a start halfway, a start and a stop are refused',
  async (t, { db, state }) => {
    const seeded = await seedGroup(db, 5);
    // What the other server has done so far: the first two steps of a start.
    t.true(await transitionBulkForwardingGroup(db, seeded.groupId, ['stopped'], 'starting', now));
    await insertBulkForwardingOperation(
      db,
      { groupId: seeded.groupId, kind: 'start', actor: 'admin-a' },
      now,
    );
    const deps = depsOf(db, state.open());
    for (const attempt of [startBulkForwarding, stopBulkForwarding]) {
      const refused = await t.throwsAsync(attempt(deps, seeded.groupId, 'admin-b'), {
        instanceOf: BulkForwardingRefusedError,
        message:
          'bulk-forwarding group "disaster" is being started by another operation; try again when it has finished',
      });
      t.is(refused?.refusal, 'in-progress');
    }
    t.is((await findBulkForwardingGroupById(db, seeded.groupId))?.state, 'starting');
    t.is((await listBulkForwardingOperations(db, seeded.groupId)).length, 1);
  },
);

setupTest(
  'while another server has a stop halfway, a start and a stop are refused',
  async (t, { db, state }) => {
    const seeded = await seedGroup(db, 5);
    t.true(await transitionBulkForwardingGroup(db, seeded.groupId, ['stopped'], 'stopping', now));
    const deps = depsOf(db, state.open());
    for (const attempt of [startBulkForwarding, stopBulkForwarding]) {
      await t.throwsAsync(attempt(deps, seeded.groupId, 'admin-b'), {
        instanceOf: BulkForwardingRefusedError,
        message: /"disaster" is being stopped by another operation/,
      });
    }
  },
);

// PostgreSQL only: a query held back on SQLite keeps its one connection, so no other
// request could run meanwhile there; the tests above cover the refusal on both.
setupTest(
  'in this process, a start held halfway makes another start and a stop refused at once',
  async (t, { db, state }) => {
    const seeded = await seedGroup(db, 5);
    const pause = pauseSelectsFrom('forwarding_settings');
    const slow = depsOf(db.withPlugin(pause.plugin), state.open());
    const other = depsOf(db, state.open());
    const first = startBulkForwarding(slow, seeded.groupId, 'admin-a');
    await pause.reached;
    t.is((await findBulkForwardingGroupById(db, seeded.groupId))?.state, 'starting');
    const running = await listBulkForwardingOperations(db, seeded.groupId);
    t.deepEqual(
      running.map((o) => o.status),
      ['running'],
    );
    for (const attempt of [startBulkForwarding, stopBulkForwarding]) {
      const refused = await t.throwsAsync(attempt(other, seeded.groupId, 'admin-b'), {
        instanceOf: BulkForwardingRefusedError,
        message:
          'bulk-forwarding group "disaster" is being started by another operation; try again when it has finished',
      });
      t.is(refused?.refusal, 'in-progress');
    }
    pause.release();
    t.is((await first).state, 'started');
    t.is((await listBulkForwardingOperations(db, seeded.groupId)).length, 1);
  },
  { dialects: ['postgres'] },
);

setupTest(
  'in this process, a stop held halfway makes a start refused',
  async (t, { db, state }) => {
    const seeded = await seedGroup(db, 5);
    await startBulkForwarding(depsOf(db, state.open()), seeded.groupId, 'admin-a');
    const pause = pauseSelectsFrom('forwarding_settings');
    const stopping = stopBulkForwarding(
      depsOf(db.withPlugin(pause.plugin), state.open()),
      seeded.groupId,
      'admin-a',
    );
    await pause.reached;
    await t.throwsAsync(startBulkForwarding(depsOf(db, state.open()), seeded.groupId, 'admin-b'), {
      instanceOf: BulkForwardingRefusedError,
      message: /is being stopped by another operation/,
    });
    pause.release();
    t.is((await stopping).state, 'stopped');
  },
  { dialects: ['postgres'] },
);

for (const lock of ['shared', 'not shared'] as const) {
  setupTest(
    `two administrators start the same group at once (lock ${lock}): exactly one wins`,
    async (t, { db, state }) => {
      const seeded = await seedGroup(db, 50);
      const open = () => (lock === 'shared' ? state.open() : state.openApart());
      const outcomes = await Promise.allSettled([
        startBulkForwarding(depsOf(db, open()), seeded.groupId, 'admin-a'),
        startBulkForwarding(depsOf(db, open()), seeded.groupId, 'admin-b'),
      ]);
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const lost = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
      t.is(won.length, 1);
      t.is(lost.length, 1);
      t.true(lost[0] instanceof BulkForwardingRefusedError, String(lost[0]));
      t.is((await findBulkForwardingGroupById(db, seeded.groupId))?.state, 'started');
      const operations = await listBulkForwardingOperations(db, seeded.groupId);
      t.deepEqual(
        operations.map((o) => o.status),
        ['done'],
      );
      t.is((await listSettingHistory(db, { siteId: seeded.siteId, limit: 500 })).length, 50);
    },
  );
}

setupTest(
  'a start that fails midway leaves the group stopped and nothing half-written',
  async (t, { db, state }) => {
    const seeded = await seedGroup(db, 20);
    const broken = depsOf(db.withPlugin(failInsertsInto('setting_history')), state.open());
    const error = await t.throwsAsync(startBulkForwarding(broken, seeded.groupId, 'admin-a'), {
      instanceOf: BulkForwardingFailedError,
      message: /the bulk-forwarding start of group \d+ failed; the group is stopped as before/,
    });
    t.regex(String((error?.cause as Error | undefined)?.message), /injected failure/);
    t.is((await findBulkForwardingGroupById(db, seeded.groupId))?.state, 'stopped');
    const [operation] = await listBulkForwardingOperations(db, seeded.groupId);
    t.is(operation?.id, error?.operationId);
    t.like(operation, { status: 'failed', finished_at: now.toISOString() });
    t.deepEqual(await listBulkForwardingResults(db, error!.operationId!), []);
    t.deepEqual(await listSettingHistory(db, { siteId: seeded.siteId }), []);

    // Nothing is stuck: the next start goes through.
    const retried = await startBulkForwarding(depsOf(db, state.open()), seeded.groupId, 'admin-a');
    t.is(retried.ok, 20);
  },
);

setupTest('a stop that fails midway leaves the group started', async (t, { db, state }) => {
  const seeded = await seedGroup(db, 20);
  await startBulkForwarding(depsOf(db, state.open()), seeded.groupId, 'admin-a');
  const broken = depsOf(db.withPlugin(failInsertsInto('bulk_forwarding_results')), state.open());
  await t.throwsAsync(stopBulkForwarding(broken, seeded.groupId, 'admin-a'), {
    instanceOf: BulkForwardingFailedError,
    message: /the group is started as before/,
  });
  t.is((await findBulkForwardingGroupById(db, seeded.groupId))?.state, 'started');
  t.deepEqual(
    (await listBulkForwardingOperations(db, seeded.groupId)).map((o) => [o.kind, o.status]),
    [
      ['stop', 'failed'],
      ['start', 'done'],
    ],
  );
  t.is((await listSettingHistory(db, { siteId: seeded.siteId, limit: 500 })).length, 20);
});

setupTest(
  'history reads the schedule and other started groups of each member',
  async (t, { db, state }) => {
    const seeded = await seedGroup(db, 3);
    const [shared, scheduled] = seeded.members;
    await upsertBulkForwardingGroup(
      db,
      { siteId: seeded.siteId, name: 'inspection', memberNumberIds: [shared!.id] },
      now,
    );
    const other = await db
      .selectFrom('bulk_forwarding_groups')
      .select('id')
      .where('name', '=', 'inspection')
      .executeTakeFirstOrThrow();
    await replaceForwardingSchedule(
      db,
      scheduled!.id,
      {
        patterns: [
          {
            name: 'night',
            setting: {
              ...ownWithSlot5(slot5Target(1)),
              unconditional: true,
              onNoAnswer: false,
              slots: ['0699998888', null, null, null, slot5Target(1)],
            },
          },
        ],
        entries: [{ days: ['sat'], startTime: '00:00', pattern: 'night' }],
      },
      now,
    );
    const pattern = await db
      .selectFrom('forwarding_patterns')
      .select('id')
      .where('number_id', '=', scheduled!.id)
      .executeTakeFirstOrThrow();
    await setForwardingScheduleState(
      db,
      { numberId: scheduled!.id, entryId: null, patternId: pattern.id, appliedBy: 'sched' },
      now,
    );
    const deps = depsOf(db, state.open());
    await startBulkForwarding(deps, other.id, 'admin-a');
    await startBulkForwarding(deps, seeded.groupId, 'admin-a');
    const starts = await listSettingHistory(db, { siteId: seeded.siteId, limit: 50 });
    t.deepEqual(
      starts
        .filter((h) => h.action === 'start' && h.numberId === scheduled!.id)
        .map((h) => h.before),
      [{ source: 'schedule', target: '0699998888' }],
    );
    // The second start finds the shared member already forwarded by the first group.
    t.deepEqual(
      starts.filter((h) => h.action === 'start' && h.numberId === shared!.id).map((h) => h.before),
      [
        { source: 'bulk', target: slot5Target(0) },
        { source: 'own', target: '0311112222' },
      ],
    );
    const stopped = await stopBulkForwarding(deps, seeded.groupId, 'admin-a');
    t.is(stopped.ok, 3);
    t.true(stopped.csv.includes(`${shared!.number},ok,${stopReasons.stillStarted}`));
  },
);

setupTest(
  'a CSV upload holding the site refuses a start, naming who holds it; the group is untouched',
  async (t, { db, state }) => {
    const seeded = await seedGroup(db, 5);
    const csvServer = state.open();
    const release = await claimSites(csvServer, [seeded.siteId], {
      operation: 'csv-upload',
      actor: 'admin-sato',
      at: now,
    });
    await t.throwsAsync(startBulkForwarding(depsOf(db, state.open()), seeded.groupId, 'admin-a'), {
      instanceOf: ForwardingCsvConflictError,
      message: `Another CSV upload is running for this site (started by admin-sato at ${now.toISOString()}); try again when it has finished.`,
    });
    t.is((await findBulkForwardingGroupById(db, seeded.groupId))?.state, 'stopped');
    t.deepEqual(await listBulkForwardingOperations(db, seeded.groupId), []);
    await release();
    t.is(
      (await startBulkForwarding(depsOf(db, state.open()), seeded.groupId, 'admin-a')).state,
      'started',
    );
    // Released afterwards: the site is free for the next upload.
    const next = await claimSites(csvServer, [seeded.siteId], {
      operation: 'csv-upload',
      actor: 'admin-sato',
      at: now,
    });
    await next();
  },
);

// PostgreSQL only (a held query keeps SQLite's one connection): while a start runs, an upload
// of its site is refused and a forwarding edit of a member too.
setupTest(
  'a start in progress refuses a CSV upload of its site',
  async (t, { db, state }) => {
    const seeded = await seedGroup(db, 5);
    const pause = pauseSelectsFrom('forwarding_settings');
    const starting = startBulkForwarding(
      depsOf(db.withPlugin(pause.plugin), state.open()),
      seeded.groupId,
      'admin-a',
    );
    try {
      await pause.reached;
      const error = await t.throwsAsync(
        claimSites(state.open(), [seeded.siteId], {
          operation: 'csv-upload',
          actor: 'admin-sato',
          at: now,
        }),
        { instanceOf: ForwardingCsvConflictError, message: /Another bulk-forwarding start/ },
      );
      t.is(error?.holder?.actor, 'admin-a');
    } finally {
      pause.release();
    }
    t.is((await starting).state, 'started');
  },
  { dialects: ['postgres'] },
);
