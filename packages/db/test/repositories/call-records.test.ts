import { insertCallRecords, listCallRecords } from '../../src/repositories/call-records.ts';
import type { NewCallRecord } from '../../src/tables/call-record.table.ts';
import { eachDialect } from '../helpers/each-dialect.ts';
import { seedTenant } from '../helpers/tenant.ts';
import { violates } from '../helpers/violates.ts';

const dialectTest = eachDialect();

/** A minimal record: every optional column left out. */
function record(callId: string, startedAt: string, extra: Partial<NewCallRecord> = {}) {
  return {
    call_id: callId,
    server_id: 'fs1',
    direction: 'incoming',
    called: '0312345678',
    started_at: startedAt,
    ended_at: startedAt,
    outcome: 'no_answer',
    rate_band: 'normal',
    ...extra,
  } satisfies NewCallRecord;
}

dialectTest('a call record round-trips every column', async (t, db) => {
  const { base, line } = await seedTenant(db);
  const forwarded: NewCallRecord = {
    call_id: 'a84b4c76e66710@pc33.example.com',
    server_id: 'fs1',
    number_id: base.id,
    access_line_code: line.code,
    direction: 'incoming',
    caller: '09011112222',
    caller_anonymity: null,
    called: '0312345678',
    started_at: '2025-11-23T09:00:00.000Z',
    answered_at: '2025-11-23T09:00:20.250Z',
    ended_at: '2025-11-23T09:03:00.000Z',
    ring_seconds: 20.25,
    outcome: 'forwarded',
    outcome_reason: 'no-answer',
    forwarded_to: '09012345678',
    failure_code: null,
    hunt_member: '05011112222',
    rate_band: 'holiday',
  };
  await insertCallRecords(db, [forwarded]);
  const [row] = await listCallRecords(db);
  t.like(row, forwarded);
  t.is(typeof row?.id, 'number');
});

dialectTest('left-out optional columns read back as null', async (t, db) => {
  await insertCallRecords(db, [
    record('withheld', '2025-11-23T09:00:00.000Z', {
      caller_anonymity: 'withheld',
      outcome: 'rejected',
      outcome_reason: 'anonymous',
      failure_code: 433,
    }),
    record('plain', '2025-11-23T09:00:01.000Z'),
  ]);
  const rows = await listCallRecords(db);
  t.deepEqual(
    rows.map((r) => [r.call_id, r.caller, r.caller_anonymity, r.failure_code, r.number_id]),
    [
      ['withheld', null, 'withheld', 433, null],
      ['plain', null, null, null, null],
    ],
  );
});

dialectTest('records list by start time, then by id, within the filter', async (t, db) => {
  const { base, base2 } = await seedTenant(db);
  await insertCallRecords(db, [
    record('c', '2025-11-23T10:00:00.000Z', { number_id: base.id }),
    record('a', '2025-11-23T09:00:00.000Z', { number_id: base.id }),
    record('b1', '2025-11-23T09:30:00.000Z', { number_id: base2.id }),
    record('b2', '2025-11-23T09:30:00.000Z', { number_id: base.id }),
  ]);
  await insertCallRecords(db, [record('b0', '2025-11-23T09:30:00.000Z', { number_id: base.id })]);
  const ids = async (filter: Parameters<typeof listCallRecords>[1]) =>
    (await listCallRecords(db, filter)).map((r) => r.call_id);

  t.deepEqual(await ids({}), ['a', 'b1', 'b2', 'b0', 'c']);
  t.deepEqual(await ids({ numberId: base.id }), ['a', 'b2', 'b0', 'c']);
  t.deepEqual(await ids({ callId: 'b1' }), ['b1']);
  // `from` is inclusive, `to` exclusive.
  t.deepEqual(await ids({ from: '2025-11-23T09:30:00.000Z', to: '2025-11-23T10:00:00.000Z' }), [
    'b1',
    'b2',
    'b0',
  ]);
  t.deepEqual(await ids({ numberId: base.id, limit: 2 }), ['a', 'b2']);
});

dialectTest('more than 500 records go in chunks, all of them', async (t, db) => {
  const many = Array.from({ length: 1201 }, (_, i) =>
    record(`call-${i}`, new Date(Date.UTC(2025, 10, 23, 0, 0, i)).toISOString()),
  );
  await insertCallRecords(db, many);
  const rows = await listCallRecords(db);
  t.is(rows.length, 1201);
  t.is(rows[0]?.call_id, 'call-0');
  t.is(rows[1200]?.call_id, 'call-1200');
});

dialectTest('a refused row in a later chunk leaves no earlier chunk behind', async (t, db) => {
  const many = Array.from({ length: 700 }, (_, i) =>
    record(`call-${i}`, '2025-11-23T09:00:00.000Z'),
  );
  const bad = { ...record('bad', '2025-11-23T09:00:00.000Z'), outcome: 'lost' };
  await violates(
    t,
    insertCallRecords(db, [...many, bad as unknown as NewCallRecord]),
    'check',
    'call_records_outcome',
  );
  t.deepEqual(await listCallRecords(db), []);
});

dialectTest('the database refuses unknown enumerations', async (t, db) => {
  const write = (extra: Record<string, unknown>) =>
    insertCallRecords(db, [
      { ...record('x', '2025-11-23T09:00:00.000Z'), ...extra } as NewCallRecord,
    ]);
  await violates(t, write({ direction: 'sideways' }), 'check', 'call_records_direction');
  await violates(
    t,
    write({ caller_anonymity: 'secret' }),
    'check',
    'call_records_caller_anonymity',
  );
  await violates(t, write({ rate_band: 'peak' }), 'check', 'call_records_rate_band');
});

dialectTest('deleting a number keeps its call records, unlinked', async (t, db) => {
  const { base2 } = await seedTenant(db);
  await insertCallRecords(db, [
    record('kept', '2025-11-23T09:00:00.000Z', { number_id: base2.id }),
  ]);
  await db.deleteFrom('numbers').where('id', '=', base2.id).execute();
  const rows = await listCallRecords(db);
  t.deepEqual(
    rows.map((r) => [r.call_id, r.number_id]),
    [['kept', null]],
  );
});

dialectTest('inserting no records is a no-op', async (t, db) => {
  await insertCallRecords(db, []);
  t.deepEqual(await listCallRecords(db), []);
});
