// recoverStaleBulkOperations: groups left `starting`/`stopping` by a start or stop that died
// (here: the database becomes unreachable midway, so the rollback cannot be written either)
// are put back once their operation is older than the limit, and never while it is live.
import {
  findBulkForwardingGroupById,
  findBulkForwardingOperation,
  insertBulkForwardingOperation,
  listBulkForwardingOperations,
  listSettingHistory,
  listStartedBulkMemberships,
  transitionBulkForwardingGroup,
} from '@ipvoice/db';
import {
  InsertQueryNode,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';
import { settingsChangedChannel, type StateStore } from '@ipvoice/state';
import {
  BulkForwardingFailedError,
  BulkForwardingRefusedError,
  defaultStaleBulkOperationMs,
  type ForwardingOpsDeps,
  type Logger,
  recoverStaleBulkOperations,
  startBulkForwarding,
  stopBulkForwarding,
} from '../src/index.ts';
import { eachSetup } from './helpers/matrix.ts';
import { failInsertsInto, pauseSelectsFrom } from './helpers/plugins.ts';
import { now, seedGroup } from './helpers/seed.ts';

const setupTest = eachSetup();

const silent: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const minutes = (n: number) => n * 60_000;
const later = (ms: number) => new Date(now.getTime() + ms);

function depsOf(db: ForwardingOpsDeps['db'], state: StateStore, at = now): ForwardingOpsDeps {
  return { db, state, clock: { now: () => at.getTime() }, logger: silent };
}

/**
 * The database goes away once the operation writes its results: that query and every one
 * after it fail, so the rollback (put the group back, mark the job failed) cannot be written.
 */
function unreachableFromInsertInto(table: string): KyselyPlugin {
  let gone = false;
  return {
    transformQuery({ node }: PluginTransformQueryArgs): RootOperationNode {
      if (InsertQueryNode.is(node) && node.into?.table.identifier.name === table) gone = true;
      if (gone) throw new Error('injected failure: connect ECONNREFUSED 127.0.0.1:5432');
      return node;
    },
    async transformResult({ result }): Promise<QueryResult<UnknownRow>> {
      return result;
    },
  };
}

/** Another server's subscription; `next` is the first message on `channel` after. */
async function listenFor(store: StateStore, channel: string): Promise<{ next: Promise<string> }> {
  let resolve!: (message: string) => void;
  const message = new Promise<string>((r) => (resolve = r));
  const unsubscribe = await store.subscribe(channel, (m) => resolve(m));
  return { next: message.finally(unsubscribe) };
}

const listenForSettingsChange = (store: StateStore) => listenFor(store, settingsChangedChannel);

/** The name of the first lock `store` is asked for, as soon as it is asked (before it is held). */
function firstLockAsked(store: StateStore): Promise<string> {
  let ask!: (name: string) => void;
  const asked = new Promise<string>((resolve) => (ask = resolve));
  const withLock = store.withLock.bind(store);
  store.withLock = (name, ttlMs, fn) => {
    ask(name);
    return withLock(name, ttlMs, fn);
  };
  return asked;
}

setupTest(
  'a start whose rollback could not be written is put back to stopped after 10 minutes, not before',
  async (t, { db, state }) => {
    const seeded = await seedGroup(db, 20);
    const broken = depsOf(
      db.withPlugin(unreachableFromInsertInto('bulk_forwarding_results')),
      state.open(),
    );
    const died = await t.throwsAsync(startBulkForwarding(broken, seeded.groupId, 'admin-a'), {
      instanceOf: BulkForwardingFailedError,
      message: /could not be put back; it may stay starting/,
    });
    const operationId = died?.operationId;
    t.is(typeof operationId, 'number');
    t.is((await findBulkForwardingGroupById(db, seeded.groupId))?.state, 'starting');
    // Stuck: every later operation is refused as in progress.
    await t.throwsAsync(startBulkForwarding(depsOf(db, state.open()), seeded.groupId, 'admin-b'), {
      instanceOf: BulkForwardingRefusedError,
      message: /is being started by another operation/,
    });

    const scheduler = state.open();
    const early = await recoverStaleBulkOperations(depsOf(db, scheduler, later(minutes(9))));
    t.deepEqual(early, { recovered: [], failedOperations: [], failed: [] });
    t.is((await findBulkForwardingGroupById(db, seeded.groupId))?.state, 'starting');

    const featureServer = await listenForSettingsChange(state.open());
    const at = later(minutes(11));
    const report = await recoverStaleBulkOperations(depsOf(db, scheduler, at));
    t.deepEqual(report, {
      recovered: [{ groupId: seeded.groupId, from: 'starting', to: 'stopped' }],
      failedOperations: [operationId!],
      failed: [],
    });
    t.is((await findBulkForwardingGroupById(db, seeded.groupId))?.state, 'stopped');
    t.like(await findBulkForwardingOperation(db, operationId!), {
      status: 'failed',
      finished_at: at.toISOString(),
    });
    t.deepEqual(
      (await featureServer.next).split(',').sort(),
      seeded.members.map((m) => m.number),
    );
    const history = await listSettingHistory(db, { siteId: seeded.siteId });
    t.is(history.length, 1);
    t.like(history[0], {
      numberId: null,
      siteId: seeded.siteId,
      voiceGroupId: seeded.voiceGroupId,
      actor: 'scheduler',
      feature: 'bulk_forwarding',
      action: 'recover',
      createdAt: at.toISOString(),
    });
    t.deepEqual(history[0]?.before, {
      groupId: seeded.groupId,
      group: 'disaster',
      state: 'starting',
      since: now.toISOString(),
    });
    t.deepEqual(history[0]?.after, {
      groupId: seeded.groupId,
      group: 'disaster',
      state: 'stopped',
      failedOperations: [
        { id: operationId, kind: 'start', actor: 'admin-a', startedAt: now.toISOString() },
      ],
    });

    // Unstuck: the next start goes through, and a second recovery finds nothing.
    const retried = await startBulkForwarding(depsOf(db, state.open(), at), seeded.groupId, 'b');
    t.is(retried.ok, 20);
    t.deepEqual(await recoverStaleBulkOperations(depsOf(db, scheduler, later(minutes(60)))), {
      recovered: [],
      failedOperations: [],
      failed: [],
    });
  },
);

setupTest(
  'a stop that died is put back to started, and its members are forwarded again',
  async (t, { db, state }) => {
    const seeded = await seedGroup(db, 5);
    await startBulkForwarding(depsOf(db, state.open()), seeded.groupId, 'admin-a');
    const broken = depsOf(
      db.withPlugin(unreachableFromInsertInto('bulk_forwarding_results')),
      state.open(),
      later(minutes(1)),
    );
    await t.throwsAsync(stopBulkForwarding(broken, seeded.groupId, 'admin-a'), {
      instanceOf: BulkForwardingFailedError,
      message: /it may stay stopping/,
    });
    // While `stopping` the group forwards nobody (only `started` groups do).
    t.deepEqual(await listStartedBulkMemberships(db), []);

    const featureServer = await listenForSettingsChange(state.open());
    const report = await recoverStaleBulkOperations(
      depsOf(db, state.open(), later(minutes(12))),
      minutes(10),
    );
    t.deepEqual(report.recovered, [{ groupId: seeded.groupId, from: 'stopping', to: 'started' }]);
    t.is((await findBulkForwardingGroupById(db, seeded.groupId))?.state, 'started');
    t.is((await listStartedBulkMemberships(db)).length, 5);
    t.is((await featureServer.next).split(',').length, 5);
    t.deepEqual(
      (await listBulkForwardingOperations(db, seeded.groupId)).map((o) => [o.kind, o.status]),
      [
        ['stop', 'failed'],
        ['start', 'done'],
      ],
    );
    const recover = (await listSettingHistory(db, { siteId: seeded.siteId, limit: 50 })).filter(
      (h) => h.action === 'recover',
    );
    t.is(recover.length, 1);
    t.like(recover[0]?.after, { state: 'started' });
  },
);

setupTest(
  'a group left starting with no operation at all (the database went before it was written) is put back',
  async (t, { db, state }) => {
    const stuck = await seedGroup(db, 3);
    const recent = await seedGroup(db, 0, { name: 'inspection' });
    t.true(await transitionBulkForwardingGroup(db, stuck.groupId, ['stopped'], 'starting', now));
    t.true(
      await transitionBulkForwardingGroup(
        db,
        recent.groupId,
        ['stopped'],
        'starting',
        later(minutes(5)),
      ),
    );
    const report = await recoverStaleBulkOperations(depsOf(db, state.open(), later(minutes(11))));
    t.deepEqual(report, {
      recovered: [{ groupId: stuck.groupId, from: 'starting', to: 'stopped' }],
      failedOperations: [],
      failed: [],
    });
    t.is((await findBulkForwardingGroupById(db, recent.groupId))?.state, 'starting');
    const history = await listSettingHistory(db, { siteId: stuck.siteId });
    t.deepEqual(
      history.map((h) => (h.after as { group: string; failedOperations: unknown[] }).group),
      ['disaster'],
    );
    t.like(history[0]?.after, { failedOperations: [] });
  },
);

setupTest(
  'an operation younger than the limit is left alone (default 10 minutes)',
  async (t, { db, state }) => {
    const seeded = await seedGroup(db, 3);
    t.true(await transitionBulkForwardingGroup(db, seeded.groupId, ['stopped'], 'starting', now));
    const operationId = await insertBulkForwardingOperation(
      db,
      { groupId: seeded.groupId, kind: 'start', actor: 'admin-a' },
      now,
    );
    t.is(defaultStaleBulkOperationMs, minutes(10));
    const atLimit = depsOf(db, state.open(), later(defaultStaleBulkOperationMs));
    t.deepEqual((await recoverStaleBulkOperations(atLimit)).recovered, []);
    t.like(await findBulkForwardingOperation(db, operationId), { status: 'running' });
    t.is((await findBulkForwardingGroupById(db, seeded.groupId))?.state, 'starting');
    t.deepEqual(await listSettingHistory(db, { siteId: seeded.siteId }), []);
  },
);

setupTest(
  'a stale operation whose group was already put back is only marked failed',
  async (t, { db, state }) => {
    const seeded = await seedGroup(db, 3);
    // The rollback restored the group, then lost the database before finishing the job.
    const operationId = await insertBulkForwardingOperation(
      db,
      { groupId: seeded.groupId, kind: 'start', actor: 'admin-a' },
      now,
    );
    const featureServer = state.open();
    const heard: string[] = [];
    await featureServer.subscribe(settingsChangedChannel, (m) => heard.push(m));
    const probe = await listenFor(featureServer, 'probe');
    const scheduler = state.open();
    const report = await recoverStaleBulkOperations(depsOf(db, scheduler, later(minutes(30))));
    t.deepEqual(report, { recovered: [], failedOperations: [operationId], failed: [] });
    t.like(await findBulkForwardingOperation(db, operationId), { status: 'failed' });
    t.is((await findBulkForwardingGroupById(db, seeded.groupId))?.state, 'stopped');
    t.deepEqual(await listSettingHistory(db, { siteId: seeded.siteId }), []);
    // Messages from one store arrive in order: a notice sent by the recovery would be here
    // before this probe.
    await scheduler.publish('probe', 'after');
    await probe.next;
    t.deepEqual(heard, []);
  },
);

setupTest(
  'a recovery that fails rolls back whole, and the next run recovers',
  async (t, { db, state }) => {
    const seeded = await seedGroup(db, 3);
    t.true(await transitionBulkForwardingGroup(db, seeded.groupId, ['stopped'], 'starting', now));
    const operationId = await insertBulkForwardingOperation(
      db,
      { groupId: seeded.groupId, kind: 'start', actor: 'admin-a' },
      now,
    );
    const errors: string[] = [];
    const logger: Logger = { ...silent, error: (_obj, msg) => errors.push(msg ?? '') };
    const at = later(minutes(11));
    const broken = {
      ...depsOf(db.withPlugin(failInsertsInto('setting_history')), state.open(), at),
      logger,
    };
    t.deepEqual(await recoverStaleBulkOperations(broken), {
      recovered: [],
      failedOperations: [],
      failed: [seeded.groupId],
    });
    t.deepEqual(errors, ['bulk forwarding: recovery of a stale group failed']);
    t.is((await findBulkForwardingGroupById(db, seeded.groupId))?.state, 'starting');
    t.like(await findBulkForwardingOperation(db, operationId), { status: 'running' });

    const report = await recoverStaleBulkOperations(depsOf(db, state.open(), at));
    t.is(report.recovered.length, 1);
    t.is((await findBulkForwardingGroupById(db, seeded.groupId))?.state, 'stopped');
  },
);

for (const lock of ['shared', 'not shared'] as const) {
  setupTest(
    `two schedulers recover at once (lock ${lock}): one history row, one transition`,
    async (t, { db, state }) => {
      const seeded = await seedGroup(db, 3);
      t.true(await transitionBulkForwardingGroup(db, seeded.groupId, ['stopped'], 'stopping', now));
      await insertBulkForwardingOperation(
        db,
        { groupId: seeded.groupId, kind: 'stop', actor: 'admin-a' },
        now,
      );
      const open = () => (lock === 'shared' ? state.open() : state.openApart());
      const at = later(minutes(15));
      const reports = await Promise.all([
        recoverStaleBulkOperations(depsOf(db, open(), at)),
        recoverStaleBulkOperations(depsOf(db, open(), at)),
      ]);
      t.is(reports.flatMap((r) => r.recovered).length, 1);
      t.is(reports.flatMap((r) => r.failedOperations).length, 1);
      t.deepEqual(
        reports.flatMap((r) => r.failed),
        [],
      );
      t.is((await findBulkForwardingGroupById(db, seeded.groupId))?.state, 'started');
      t.is((await listSettingHistory(db, { siteId: seeded.siteId })).length, 1);
    },
  );
}

// PostgreSQL only: a query held back on SQLite keeps its one connection, so the recovery
// could not even list the groups while the start is held.
setupTest(
  'a recovery that sees a live start as stale waits for the group lock, then finds it done',
  async (t, { db, state }) => {
    const seeded = await seedGroup(db, 5);
    const pause = pauseSelectsFrom('forwarding_settings');
    const starting = startBulkForwarding(
      depsOf(db.withPlugin(pause.plugin), state.open()),
      seeded.groupId,
      'admin-a',
    );
    await pause.reached;
    const scheduler = state.open();
    const lock = firstLockAsked(scheduler);
    // A clock far ahead makes the live start look stale: only the lock protects it.
    const recovery = recoverStaleBulkOperations(depsOf(db, scheduler, later(minutes(60))));
    try {
      // The lock the start holds (bulk-forwarding.ts), so the recovery waits.
      t.is(await lock, `bulk-forwarding:group:${seeded.groupId}`);
      t.is((await findBulkForwardingGroupById(db, seeded.groupId))?.state, 'starting');
    } finally {
      // A failed assertion throws; the held query must not keep the database from closing.
      pause.release();
    }
    t.is((await starting).state, 'started');
    t.deepEqual(await recovery, { recovered: [], failedOperations: [], failed: [] });
    t.is((await findBulkForwardingGroupById(db, seeded.groupId))?.state, 'started');
    t.deepEqual(
      (await listBulkForwardingOperations(db, seeded.groupId)).map((o) => o.status),
      ['done'],
    );
  },
  { dialects: ['postgres'] },
);
