import { CompiledQuery, PostgresAdapter, sql } from 'kysely';
import { insertCallRecords } from '../../src/repositories/call-records.ts';
import {
  type CallRecordSearch,
  countCallDestinations,
  countCallRecords,
  searchCallDestinations,
  searchCallRecords,
} from '../../src/repositories/usage-search.ts';
import type { NewCallRecord } from '../../src/tables/call-record.table.ts';
import { eachDialect } from '../helpers/each-dialect.ts';
import { seedTenant } from '../helpers/tenant.ts';

const dialectTest = eachDialect();

function record(callId: string, startedAt: string, extra: Partial<NewCallRecord> = {}) {
  return {
    call_id: callId,
    server_id: 'fs1',
    direction: 'outgoing',
    called: '0311112222',
    started_at: startedAt,
    ended_at: startedAt,
    outcome: 'no_answer',
    rate_band: 'normal',
    ...extra,
  } satisfies NewCallRecord;
}

const at = (minute: number) => new Date(Date.UTC(2025, 10, 20, 0, minute)).toISOString();
const PERIOD = { from: at(0), to: at(60) };

dialectTest('by call: scope and period select the records, in start order', async (t, db) => {
  const { base, base2, otherLine } = await seedTenant(db);
  await insertCallRecords(db, [
    record('later', at(30), { number_id: base.id }),
    record('first', at(0), { number_id: base.id }),
    // Same start: the id (insertion order) breaks the tie.
    record('same-a', at(10), { number_id: base2.id }),
    record('same-b', at(10), { number_id: base.id }),
    record('end-excluded', at(60), { number_id: base.id }),
    record('before', at(-1), { number_id: base.id }),
    record('deleted-number-line', at(20), { number_id: null, access_line_code: otherLine.code }),
    record('someone-else', at(20), { number_id: null, access_line_code: 'N999' }),
  ]);
  const ids = async (search: CallRecordSearch) =>
    (await searchCallRecords(db, { ...search, limit: 100 })).map((r) => r.call_id);

  t.deepEqual(await ids({ ...PERIOD, scope: { numberIds: [base.id] } }), [
    'first',
    'same-b',
    'later',
  ]);
  t.deepEqual(
    await ids({
      ...PERIOD,
      scope: { numberIds: [base.id, base2.id], accessLineCodes: [otherLine.code] },
    }),
    ['first', 'same-a', 'same-b', 'deleted-number-line', 'later'],
  );
  t.deepEqual(await ids({ ...PERIOD, scope: {} }), [], 'an empty scope matches nothing');
  t.deepEqual(await ids({ ...PERIOD, scope: { numberIds: [], accessLineCodes: [] } }), []);
  t.is(await countCallRecords(db, { ...PERIOD, scope: { numberIds: [base.id, base2.id] } }), 4);
  t.is(await countCallRecords(db, { ...PERIOD, scope: {} }), 0);
});

dialectTest('by call: pages by offset and by cursor agree', async (t, db) => {
  const { base } = await seedTenant(db);
  await insertCallRecords(
    db,
    Array.from({ length: 25 }, (_, i) =>
      record(`c${String(i).padStart(2, '0')}`, at(Math.floor(i / 2)), { number_id: base.id }),
    ),
  );
  const search = { ...PERIOD, scope: { numberIds: [base.id] } };
  const all = (await searchCallRecords(db, { ...search, limit: 100 })).map((r) => r.call_id);
  t.is(all.length, 25);
  const byOffset: string[] = [];
  for (let offset = 0; offset < 25; offset += 10) {
    const page = await searchCallRecords(db, { ...search, limit: 10, offset });
    byOffset.push(...page.map((r) => r.call_id));
  }
  t.deepEqual(byOffset, all);
  const byCursor: string[] = [];
  let after;
  for (;;) {
    const page = await searchCallRecords(db, { ...search, limit: 7, after });
    if (page.length === 0) break;
    byCursor.push(...page.map((r) => r.call_id));
    const last = page.at(-1)!;
    after = { startedAt: last.started_at, id: last.id };
  }
  t.deepEqual(byCursor, all);
});

dialectTest('by call: every column comes back, with the talk time', async (t, db) => {
  const { base, line } = await seedTenant(db);
  const full = record('full', at(5), {
    number_id: base.id,
    access_line_code: line.code,
    direction: 'incoming',
    caller: '09011112222',
    called: '0312345678',
    answered_at: '2025-11-20T00:05:20.250Z',
    ended_at: '2025-11-20T00:08:00.000Z',
    ring_seconds: 20.25,
    outcome: 'forwarded',
    outcome_reason: 'no-answer',
    forwarded_to: '09012345678',
    hunt_member: '05011112222',
    rate_band: 'night',
  });
  await insertCallRecords(db, [full, record('unanswered', at(6), { number_id: base.id })]);
  const rows = await searchCallRecords(db, {
    ...PERIOD,
    scope: { numberIds: [base.id] },
    limit: 10,
  });
  t.like(rows[0], { ...full, talk_seconds: 159.75 });
  t.like(rows[1], { call_id: 'unanswered', talk_seconds: null });
});

dialectTest(
  'by destination: per dialled number, counts and talk time per rate band',
  async (t, db) => {
    const { base } = await seedTenant(db);
    const answered = (
      id: string,
      minute: number,
      called: string,
      seconds: number,
      band: NewCallRecord['rate_band'],
    ) =>
      record(id, at(minute), {
        number_id: base.id,
        called,
        answered_at: at(minute),
        ended_at: new Date(Date.parse(at(minute)) + seconds * 1000).toISOString(),
        outcome: 'answered',
        rate_band: band,
      });
    await insertCallRecords(db, [
      answered('a1', 1, '0322223333', 60, 'normal'),
      answered('a2', 2, '0322223333', 30.5, 'night'),
      record('a3', at(3), { number_id: base.id, called: '0322223333', rate_band: 'holiday' }),
      answered('b1', 4, '0111112222', 10, 'holiday'),
      answered('c1', 5, '09033334444', 1.25, 'normal'),
      answered('out-of-period', 61, '0111112222', 10, 'holiday'),
    ]);
    const search = { ...PERIOD, scope: { numberIds: [base.id] } };
    t.is(await countCallDestinations(db, search), 3);
    const rows = await searchCallDestinations(db, { ...search, limit: 10 });
    t.deepEqual(rows, [
      {
        called: '0111112222',
        calls: 1,
        answered: 1,
        talk_seconds: 10,
        normal_calls: 0,
        normal_talk_seconds: 0,
        night_calls: 0,
        night_talk_seconds: 0,
        holiday_calls: 1,
        holiday_talk_seconds: 10,
      },
      {
        called: '0322223333',
        calls: 3,
        answered: 2,
        talk_seconds: 90.5,
        normal_calls: 1,
        normal_talk_seconds: 60,
        night_calls: 1,
        night_talk_seconds: 30.5,
        holiday_calls: 1,
        holiday_talk_seconds: 0,
      },
      {
        called: '09033334444',
        calls: 1,
        answered: 1,
        talk_seconds: 1.25,
        normal_calls: 1,
        normal_talk_seconds: 1.25,
        night_calls: 0,
        night_talk_seconds: 0,
        holiday_calls: 0,
        holiday_talk_seconds: 0,
      },
    ]);
    const second = await searchCallDestinations(db, { ...search, limit: 1, offset: 1 });
    t.deepEqual(
      second.map((r) => r.called),
      ['0322223333'],
    );
    const afterFirst = await searchCallDestinations(db, {
      ...search,
      limit: 5,
      after: '0111112222',
    });
    t.deepEqual(
      afterFirst.map((r) => r.called),
      ['0322223333', '09033334444'],
    );
  },
);

dialectTest('a scoped period search is planned on an index', async (t, db) => {
  const { base } = await seedTenant(db);
  const compiled = db
    .selectFrom('call_records')
    .selectAll()
    .where((eb) =>
      eb.and([
        eb.or([eb('number_id', 'in', [base.id]), eb('access_line_code', 'in', ['N000000001'])]),
        eb('started_at', '>=', PERIOD.from),
        eb('started_at', '<', PERIOD.to),
      ]),
    )
    .orderBy('started_at')
    .orderBy('id')
    .compile();
  const isPg = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.transaction().execute(async (tx) => {
    // An empty table is cheapest to scan; the planner is told to prefer indexes, as it
    // would on a table of 100,000 rows.
    if (isPg) await sql`set local enable_seqscan = off`.execute(tx);
    const explain = isPg ? 'explain ' : 'explain query plan ';
    const plan = await tx.executeQuery(
      CompiledQuery.raw(explain + compiled.sql, [...compiled.parameters]),
    );
    const text = JSON.stringify(plan.rows);
    t.regex(text, /call_records_(number_started|access_line_started|started)\b/);
    t.notRegex(text, /Seq Scan|SCAN call_records"/);
  });
});
