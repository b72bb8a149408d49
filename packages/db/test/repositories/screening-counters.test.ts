import {
  addScreeningCounts,
  pruneScreeningCounters,
  screeningCounts,
} from '../../src/repositories/screening-counters.ts';
import { eachDialect } from '../helpers/each-dialect.ts';
import { now, seedTenant } from '../helpers/tenant.ts';
import { violates } from '../helpers/violates.ts';

const dialectTest = eachDialect();
const november = { thisMonth: '2025-11', lastMonth: '2025-10' };

dialectTest('additions to one counter accumulate', async (t, db) => {
  const { base } = await seedTenant(db);
  const add = (count: number) =>
    addScreeningCounts(
      db,
      [{ numberId: base.id, feature: 'nuisance_blocking', month: '2025-11', count }],
      now,
    );
  t.deepEqual(await screeningCounts(db, base.id, 'nuisance_blocking', november), {
    thisMonth: 0,
    lastMonth: 0,
  });
  await add(1);
  await add(3);
  t.deepEqual(await screeningCounts(db, base.id, 'nuisance_blocking', november), {
    thisMonth: 4,
    lastMonth: 0,
  });
  const later = new Date(now.getTime() + 60_000);
  await addScreeningCounts(
    db,
    [{ numberId: base.id, feature: 'nuisance_blocking', month: '2025-11', count: 2 }],
    later,
  );
  const row = await db.selectFrom('screening_counters').selectAll().executeTakeFirstOrThrow();
  t.is(row.count, 6);
  t.is(row.updated_at, later.toISOString());
});

dialectTest('counters are kept per number, feature and month', async (t, db) => {
  const { base, base2 } = await seedTenant(db);
  await addScreeningCounts(
    db,
    [
      { numberId: base.id, feature: 'nuisance_blocking', month: '2025-11', count: 5 },
      { numberId: base.id, feature: 'nuisance_blocking', month: '2025-10', count: 7 },
      { numberId: base.id, feature: 'anonymous_rejection', month: '2025-11', count: 11 },
      { numberId: base2.id, feature: 'nuisance_blocking', month: '2025-11', count: 13 },
      { numberId: base.id, feature: 'nuisance_blocking', month: '2025-09', count: 17 },
      // The same counter twice in one call: both additions count.
      { numberId: base.id, feature: 'nuisance_blocking', month: '2025-11', count: 1 },
    ],
    now,
  );
  t.deepEqual(await screeningCounts(db, base.id, 'nuisance_blocking', november), {
    thisMonth: 6,
    lastMonth: 7,
  });
  t.deepEqual(await screeningCounts(db, base.id, 'anonymous_rejection', november), {
    thisMonth: 11,
    lastMonth: 0,
  });
  t.deepEqual(await screeningCounts(db, base2.id, 'nuisance_blocking', november), {
    thisMonth: 13,
    lastMonth: 0,
  });
  t.deepEqual(
    await screeningCounts(db, base.id, 'nuisance_blocking', {
      thisMonth: '2025-10',
      lastMonth: '2025-09',
    }),
    { thisMonth: 7, lastMonth: 17 },
  );
});

dialectTest('50 simultaneous additions to one counter sum exactly', async (t, db) => {
  const { base } = await seedTenant(db);
  await Promise.all(
    Array.from({ length: 50 }, (_, i) =>
      addScreeningCounts(
        db,
        [{ numberId: base.id, feature: 'nuisance_blocking', month: '2025-11', count: i + 1 }],
        now,
      ),
    ),
  );
  t.is((await screeningCounts(db, base.id, 'nuisance_blocking', november)).thisMonth, 1275);
});

dialectTest('additions in a transaction that rolls back are not counted', async (t, db) => {
  const { base } = await seedTenant(db);
  await t.throwsAsync(
    db.transaction().execute(async (tx) => {
      await addScreeningCounts(
        tx,
        [{ numberId: base.id, feature: 'nuisance_blocking', month: '2025-11', count: 3 }],
        now,
      );
      throw new Error('call record write failed');
    }),
    { message: 'call record write failed' },
  );
  t.is((await screeningCounts(db, base.id, 'nuisance_blocking', november)).thisMonth, 0);
});

dialectTest('prune deletes the months before the oldest kept', async (t, db) => {
  const { base, base2 } = await seedTenant(db);
  await addScreeningCounts(
    db,
    [
      { numberId: base.id, feature: 'nuisance_blocking', month: '2024-12', count: 1 },
      { numberId: base.id, feature: 'nuisance_blocking', month: '2025-09', count: 1 },
      { numberId: base2.id, feature: 'anonymous_rejection', month: '2025-09', count: 1 },
      { numberId: base.id, feature: 'nuisance_blocking', month: '2025-10', count: 2 },
      { numberId: base.id, feature: 'nuisance_blocking', month: '2025-11', count: 3 },
    ],
    now,
  );
  t.is(await pruneScreeningCounters(db, '2025-10'), 3);
  t.is(await pruneScreeningCounters(db, '2025-10'), 0);
  t.deepEqual(await screeningCounts(db, base.id, 'nuisance_blocking', november), {
    thisMonth: 3,
    lastMonth: 2,
  });
  await t.throwsAsync(pruneScreeningCounters(db, '2025-1'), { instanceOf: RangeError });
  await t.throwsAsync(pruneScreeningCounters(db, 'latest'), { instanceOf: RangeError });
});

dialectTest("a number's counters go with it", async (t, db) => {
  const { base, base2 } = await seedTenant(db);
  await addScreeningCounts(
    db,
    [
      { numberId: base.id, feature: 'nuisance_blocking', month: '2025-11', count: 1 },
      { numberId: base2.id, feature: 'nuisance_blocking', month: '2025-11', count: 2 },
    ],
    now,
  );
  await db.deleteFrom('numbers').where('id', '=', base.id).execute();
  const left = await db.selectFrom('screening_counters').select(['number_id', 'count']).execute();
  t.deepEqual(left, [{ number_id: base2.id, count: 2 }]);
});

dialectTest(
  'the schema refuses unknown features, malformed months and unknown numbers',
  async (t, db) => {
    const { base } = await seedTenant(db);
    const add = (row: { numberId?: number; feature?: string; month?: string }) =>
      addScreeningCounts(
        db,
        [
          {
            numberId: row.numberId ?? base.id,
            feature: (row.feature ?? 'nuisance_blocking') as 'nuisance_blocking',
            month: row.month ?? '2025-11',
            count: 1,
          },
        ],
        now,
      );
    await violates(t, add({ feature: 'call_forwarding' }), 'check', 'screening_counters_feature');
    for (const month of ['2025-13', '2025-00', '2025-1', '25-11', '2025-11-01', '2025/11'])
      await violates(t, add({ month }), 'check', 'screening_counters_month_format');
    await violates(t, add({ numberId: 999_999 }), 'foreign key');
    await t.throwsAsync(
      addScreeningCounts(
        db,
        [{ numberId: base.id, feature: 'nuisance_blocking', month: '2025-11', count: -1 }],
        now,
      ),
      { instanceOf: RangeError },
    );
    t.is(await db.selectFrom('screening_counters').select('count').executeTakeFirst(), undefined);
  },
);
