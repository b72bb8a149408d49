// SPEC §3.8 counters: refused calls are added up in memory and written once a second; a
// failed write loses nothing.
import test from 'ava';
import {
  addScreeningCounts,
  migrateToLatest,
  openDatabase,
  screeningCounts,
  type ScreeningCountAddition,
} from '@ipvoice/db';
import { FakeClock, noopLogger } from '@ipvoice/sip';
import { ScreeningCounterWriter } from '../../src/calls/screening-counter-writer.ts';

/** Lets promise callbacks queued by a fired timer run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

test('counts are summed per number, feature and month, and written after the interval', async (t) => {
  const clock = new FakeClock(0);
  const writes: ScreeningCountAddition[][] = [];
  const writer = new ScreeningCounterWriter({
    write: async (rows) => void writes.push(rows),
    clock,
    logger: noopLogger,
  });
  for (let i = 0; i < 3; i++)
    writer.add({ numberId: 1, feature: 'nuisance_blocking', month: '2026-11' });
  writer.add({ numberId: 1, feature: 'anonymous_rejection', month: '2026-11' });
  writer.add({ numberId: 2, feature: 'nuisance_blocking', month: '2026-12' });
  clock.advance(999);
  await settle();
  t.is(writes.length, 0, 'written before the interval');
  clock.advance(1);
  await settle();
  t.deepEqual(writes, [
    [
      { numberId: 1, feature: 'nuisance_blocking', month: '2026-11', count: 3 },
      { numberId: 1, feature: 'anonymous_rejection', month: '2026-11', count: 1 },
      { numberId: 2, feature: 'nuisance_blocking', month: '2026-12', count: 1 },
    ],
  ]);
});

test('a failed write keeps its counts and adds them to the next one', async (t) => {
  const clock = new FakeClock(0);
  const writes: ScreeningCountAddition[][] = [];
  let fail = true;
  const writer = new ScreeningCounterWriter({
    write: async (rows) => {
      if (fail) throw new Error('database away');
      writes.push(rows);
    },
    clock,
    logger: noopLogger,
  });
  writer.add({ numberId: 7, feature: 'nuisance_blocking', month: '2026-11' });
  writer.add({ numberId: 7, feature: 'nuisance_blocking', month: '2026-11' });
  clock.advance(1000);
  await settle();
  t.deepEqual(writes, []);
  fail = false;
  writer.add({ numberId: 7, feature: 'nuisance_blocking', month: '2026-11' });
  clock.advance(1000);
  await settle();
  t.deepEqual(writes, [
    [{ numberId: 7, feature: 'nuisance_blocking', month: '2026-11', count: 3 }],
  ]);
});

test('close writes what is left, into the real table', async (t) => {
  const db = openDatabase('sqlite::memory:');
  t.teardown(() => db.destroy());
  await migrateToLatest(db);
  const now = new Date().toISOString();
  const vg = await db
    .insertInto('voice_groups')
    .values({
      code: 'VG07001',
      name: 'c',
      time_zone: 'Asia/Tokyo',
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const site = await db
    .insertInto('sites')
    .values({ voice_group_id: vg.id, code: '7000001', name: 's', created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  const line = await db
    .insertInto('access_lines')
    .values({ site_id: site.id, code: 'N700000001', channels: 2, created_at: now, updated_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  const number = await db
    .insertInto('numbers')
    .values({
      access_line_id: line.id,
      number: '0370000001',
      kind: 'base',
      base_number_id: null,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const clock = new FakeClock(0);
  const writer = new ScreeningCounterWriter({
    write: (rows) => addScreeningCounts(db, rows, new Date()),
    clock,
    logger: noopLogger,
  });
  for (let i = 0; i < 4; i++)
    writer.add({ numberId: number.id, feature: 'nuisance_blocking', month: '2026-11' });
  await writer.close();
  t.deepEqual(
    await screeningCounts(db, number.id, 'nuisance_blocking', {
      thisMonth: '2026-11',
      lastMonth: '2026-10',
    }),
    { thisMonth: 4, lastMonth: 0 },
  );
  t.is(clock.pending, 0, 'a timer outlived close');
});
