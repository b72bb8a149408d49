import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Database,
  type Kysely,
  type NewCallRecord,
  insertCallRecords,
  migrateToLatest,
  openDatabase,
} from '@ipvoice/db';
import { usagePeriodMessages } from '@ipvoice/features';
import test from 'ava';
import {
  EXPORT_KEEP_MS,
  type UsageOutput,
  type UsageSearchDeps,
  type UsageSearchRequest,
  checkOutputLimit,
  getBulkExport,
  outputLimitMessages,
  pruneExpiredExports,
  usageSearch,
} from '../src/index.ts';

const NOW = new Date('2025-11-23T09:00:00Z');
const TOKYO = 'Asia/Tokyo';
/** 2025-11-01 00:00 in Tokyo. */
const FIRST = Date.parse('2025-10-31T15:00:00Z');
const LINE = 'N000000001';

function record(i: number): NewCallRecord {
  const started = new Date(FIRST + i * 1000).toISOString();
  return {
    call_id: `call-${String(i).padStart(6, '0')}`,
    server_id: 'fs1',
    access_line_code: LINE,
    direction: 'outgoing',
    caller: '0312345678',
    called: `03${String(i % 7).padStart(8, '0')}`,
    started_at: started,
    answered_at: started,
    ended_at: new Date(FIRST + i * 1000 + 500).toISOString(),
    outcome: 'answered',
    rate_band: 'normal',
  };
}

async function insertRecords(db: Kysely<Database>, from: number, count: number) {
  for (let i = from; i < from + count; i += 10_000) {
    const chunk = Array.from({ length: Math.min(10_000, from + count - i) }, (_, k) =>
      record(i + k),
    );
    await insertCallRecords(db, chunk);
  }
}

async function setup() {
  const db = openDatabase('sqlite::memory:');
  await migrateToLatest(db);
  const dataDir = await mkdtemp(join(tmpdir(), 'usage-'));
  let clock = NOW;
  let ids = 0;
  const deps: UsageSearchDeps = {
    db,
    dataDir,
    now: () => clock,
    newId: () => `job${++ids}`,
  };
  return {
    db,
    deps,
    dataDir,
    setNow: (at: Date) => {
      clock = at;
    },
    dispose: async () => {
      await db.destroy();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

const request = (
  output: UsageOutput,
  extra: Partial<UsageSearchRequest> = {},
): UsageSearchRequest => ({
  scope: { accessLineCodes: [LINE] },
  by: 'call',
  output,
  period: { from: '2025-11-01T00:00:00', to: '2025-11-20T23:59:59' },
  timeZone: TOKYO,
  requestedBy: 'admin@example',
  ...extra,
});

const limits: Array<[number, UsageOutput, string | undefined]> = [
  [0, 'screen', 'none'],
  [0, 'bulk', 'none'],
  [1, 'screen', undefined],
  [1_000, 'screen', undefined],
  [1_001, 'screen', 'useCsv'],
  [10_001, 'screen', 'useBulk'],
  [100_001, 'screen', 'narrow'],
  [10_000, 'csv', undefined],
  [10_001, 'csv', 'useBulk'],
  [100_001, 'csv', 'narrow'],
  [100_000, 'bulk', undefined],
  [100_001, 'bulk', 'narrow'],
];
for (const [count, output, rule] of limits) {
  test(`${count} calls to ${output}: ${rule ?? 'allowed'}`, (t) => {
    const result = checkOutputLimit(count, output, 'call');
    if (rule === undefined) t.deepEqual(result, { ok: true });
    else t.like(result, { ok: false, rule });
  });
}

test('each output-limit message tells which output to choose', (t) => {
  t.like(checkOutputLimit(1_001, 'screen', 'call'), {
    message:
      'More than 1,000 calls match: download them as CSV (up to 10,000) or narrow the period.',
  });
  t.is(
    outputLimitMessages.useBulk.en('call'),
    'More than 10,000 calls match: use the bulk export (up to 100,000) or narrow the period.',
  );
  t.is(outputLimitMessages.narrow.en('call'), 'More than 100,000 calls match: narrow the period.');
  t.is(outputLimitMessages.none.en('destination'), 'No destinations match the search period.');
  t.like(checkOutputLimit(10_001, 'csv', 'call'), {
    message: outputLimitMessages.useBulk.en('call'),
    messageJa:
      'ヒット件数が多すぎます。\n検索期間を絞り込むか、出力形式を「テキストファイル(大量検索)」として下さい。',
  });
});

test('a refused period comes back with its message and nothing is searched', async (t) => {
  const { deps, dispose } = await setup();
  try {
    const result = await usageSearch(
      deps,
      request('screen', { period: { from: '2025-09-01T00:00:00', to: '2025-10-01T00:00:00' } }),
    );
    t.deepEqual(result, {
      ok: false,
      kind: 'period',
      rule: 'tooLong',
      field: 'to',
      message: 'The search period may be at most one month.',
      messageJa: usagePeriodMessages.tooLong.ja,
    });
  } finally {
    await dispose();
  }
});

test('on screen: pages of the calls; 1,001 calls are sent to CSV', async (t) => {
  const { db, deps, dispose } = await setup();
  try {
    await insertRecords(db, 0, 1_000);
    const page2 = await usageSearch(deps, request('screen', { page: 2, pageSize: 300 }));
    t.like(page2, { ok: true, output: 'screen', total: 1_000, page: 2, pageSize: 300 });
    if (page2.ok && page2.output === 'screen') {
      t.is(page2.rows.length, 300);
      t.like(page2.rows[0], { call_id: 'call-000300', talk_seconds: 0.5 });
    }
    await insertRecords(db, 1_000, 1);
    t.like(await usageSearch(deps, request('screen')), {
      ok: false,
      kind: 'limit',
      rule: 'useCsv',
      total: 1_001,
      message:
        'More than 1,000 calls match: download them as CSV (up to 10,000) or narrow the period.',
    });
    const byDestination = await usageSearch(deps, request('screen', { by: 'destination' }));
    t.like(byDestination, { ok: true, by: 'destination', total: 7 });
  } finally {
    await dispose();
  }
});

test('CSV: UTF-8 with BOM, a header, one row per call in local time', async (t) => {
  const { db, deps, dispose } = await setup();
  try {
    await insertRecords(db, 0, 3);
    const result = await usageSearch(deps, request('csv'));
    if (!result.ok || result.output !== 'csv') return t.fail(JSON.stringify(result));
    t.true(result.csv.startsWith('\uFEFF'));
    const lines = result.csv.slice(1).split('\r\n');
    t.is(lines.at(-1), '');
    t.is(lines.length, 5);
    t.true(lines[0]!.startsWith('start,answer,end,caller,'));
    t.true(
      lines[1]!.startsWith(
        '2025-11-01 00:00:00,2025-11-01 00:00:00,2025-11-01 00:00:00,0312345678,,0300000000,outgoing,answered,',
      ),
    );
    t.true(lines[3]!.endsWith(',call-000002'));
    t.is(result.fileName, 'usage-call-2025-11-01-2025-11-20.csv');
  } finally {
    await dispose();
  }
});

test('bulk: 100,000 calls in 10 files of 10,000 rows, in order; 100,001 must be narrowed; pruned after 3 days', async (t) => {
  const { db, deps, dataDir, setNow, dispose } = await setup();
  try {
    await insertRecords(db, 0, 100_000);
    t.like(await usageSearch(deps, request('csv')), { ok: false, rule: 'useBulk' });
    const result = await usageSearch(deps, request('bulk'));
    if (!result.ok || result.output !== 'bulk') return t.fail(JSON.stringify(result));
    t.like(result.job, { id: 'job1', status: 'running', files: [] });
    const done = await result.done;
    t.like(done, { status: 'done', rowCount: 100_000, error: null });
    t.deepEqual(
      done.files,
      Array.from({ length: 10 }, (_, i) => `usage-job1-${String(i + 1).padStart(3, '0')}.csv`),
    );
    t.deepEqual(await getBulkExport(db, 'job1'), done);

    let expected = 0;
    for (const name of done.files) {
      const text = await readFile(join(dataDir, 'exports', name), 'utf8');
      t.true(text.startsWith('\uFEFFstart,answer,end,'), name);
      const lines = text.slice(1).split('\r\n');
      t.is(lines.pop(), '');
      t.is(lines.length, 10_001, name);
      for (const line of lines.slice(1)) {
        const want = `call-${String(expected++).padStart(6, '0')}`;
        if (!line.endsWith(`,${want}`)) return t.fail(`${name}: expected ${want}, got ${line}`);
      }
    }
    t.is(expected, 100_000);

    await insertRecords(db, 100_000, 1);
    t.like(await usageSearch(deps, request('bulk')), {
      ok: false,
      rule: 'narrow',
      message: 'More than 100,000 calls match: narrow the period.',
    });

    const created = Date.parse(done.createdAt);
    t.is(await pruneExpiredExports(db, new Date(created + EXPORT_KEEP_MS - 1), dataDir), 0);
    t.is((await readdir(join(dataDir, 'exports'))).length, 10);
    setNow(new Date(created + EXPORT_KEEP_MS));
    t.is(await pruneExpiredExports(db, new Date(created + EXPORT_KEEP_MS), dataDir), 1);
    t.deepEqual(await readdir(join(dataDir, 'exports')), []);
    t.is(await getBulkExport(db, 'job1'), undefined);
  } finally {
    await dispose();
  }
});
