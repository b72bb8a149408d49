// SPEC §3.13 usage search through the API: each period message and each output-limit message
// verbatim, a screen page, a CSV download, a bulk export listed and downloaded, and the voice
// group's time zone deciding the days. Call records are inserted directly.
import { insertCallRecords, type NewCallRecord } from '@ipvoice/db';
import { usagePeriodMessages } from '@ipvoice/features';
import { outputLimitMessages } from '@ipvoice/usage';
import { eachDialect, type Harness } from './helpers/harness.ts';
import { PERIOD, callRecord, finishedExport, periodQuery, seedCalls } from './matrix/usage.ts';

const dialectTest = eachDialect();

async function get(h: Harness, url: string, login = 'ga') {
  return h.request({ method: 'GET', url, cookie: await h.login(login) });
}

/** Calls `from`…`from + count - 1` of n1, 10 s apart from 1 November 00:00 JST, to 50
 * destinations. */
async function manyCalls(h: Harness, from: number, count: number) {
  const base = Date.parse('2025-10-31T15:00:00.000Z');
  const records: NewCallRecord[] = [];
  for (let i = from; i < from + count; i++) {
    records.push(
      callRecord(
        h.tenant.n1.id,
        'N000000001',
        new Date(base + i * 10_000).toISOString(),
        `bulk-${i}`,
        `03${String(10_000_000 + (i % 50)).slice(0, 8)}`,
      ),
    );
  }
  await insertCallRecords(h.db, records);
}

const periodCases = [
  { rule: 'calendar', from: '2025-11-31T00:00:00', to: '2025-12-01T00:00:00', field: 'from' },
  { rule: 'order', from: '2025-11-20T12:00:00', to: '2025-11-20T00:00:00', field: 'from' },
  { rule: 'tooEarly', from: '2025-08-31T00:00:00', to: '2025-09-10T00:00:00', field: 'from' },
  { rule: 'future', from: '2025-11-23T00:00:00', to: '2025-11-23T23:59:59', field: 'from' },
  { rule: 'tooLong', from: '2025-10-01T00:00:00', to: '2025-11-05T00:00:00', field: 'to' },
  { rule: 'tooShort', from: '2025-11-20T00:00:00', to: '2025-11-20T00:30:00', field: 'to' },
] as const;

dialectTest('each period rule is refused with its message (400)', async (t, h) => {
  for (const c of periodCases) {
    const r = await get(h, `/numbers/${h.tenant.n1.number}/usage?from=${c.from}&to=${c.to}`);
    t.is(r.statusCode, 400, c.rule);
    t.like(r.json(), {
      error: 'validation',
      rule: c.rule,
      field: c.field,
      message: usagePeriodMessages[c.rule].en,
      messageJa: usagePeriodMessages[c.rule].ja,
    });
  }
});

dialectTest('each output limit is refused with the output to choose (409)', async (t, h) => {
  // 100,001 calls 10 s apart take 11.6 days.
  const period = 'from=2025-11-01T00:00:00&to=2025-11-22T23:59:59';
  const url = (output: string, by = 'call') =>
    `/numbers/${h.tenant.n1.number}/usage?${period}&output=${output}&by=${by}`;
  const refused = async (output: string, rule: keyof typeof outputLimitMessages, by = 'call') => {
    const r = await get(h, url(output, by));
    t.is(r.statusCode, 409, `${output} ${rule}: ${r.body}`);
    t.like(r.json(), {
      error: 'output_limit',
      rule,
      message: outputLimitMessages[rule].en(by === 'call' ? 'call' : 'destination'),
      messageJa: outputLimitMessages[rule].ja,
    });
  };
  await refused('screen', 'none');
  await refused('screen', 'none', 'destination');
  await manyCalls(h, 0, 1_001);
  await refused('screen', 'useCsv');
  t.is((await get(h, url('csv'))).statusCode, 200, 'CSV takes 1,001 calls');
  t.is((await get(h, url('screen', 'destination'))).statusCode, 200, '50 destinations');
  await manyCalls(h, 1_001, 9_000);
  await refused('screen', 'useBulk');
  await refused('csv', 'useBulk');
  await manyCalls(h, 10_001, 90_000);
  await refused('bulk', 'narrow');
  await refused('csv', 'narrow');
});

dialectTest('a screen page by call and by destination', async (t, h) => {
  await seedCalls(h);
  await seedCalls(h, '2025-11-20T04:00:00.000Z');
  const r = await get(h, `/sites/${h.tenant.s1.code}/usage?${periodQuery}&page=1`);
  t.is(r.statusCode, 200, r.body);
  const body = r.json<{ total: number; rows: Array<{ called: string; started_at: string }> }>();
  // S1 holds n1 and n2: two calls each.
  t.is(body.total, 4);
  t.is(body.rows.length, 4);
  t.like(body, { by: 'call', page: 1, period: { from: PERIOD.from, to: PERIOD.to } });
  t.is(
    (await get(h, `/sites/${h.tenant.s1.code}/usage?${periodQuery}&page=2`)).json<{
      rows: unknown[];
    }>().rows.length,
    0,
  );
  const byDestination = await get(h, `/voice-groups/VG00001/usage?${periodQuery}&by=destination`);
  t.is(byDestination.statusCode, 200, byDestination.body);
  t.like(byDestination.json(), {
    by: 'destination',
    total: 1,
    rows: [{ called: '0311112222', calls: 6, answered: 6, talk_seconds: 360 }],
  });
});

dialectTest('a CSV download opens in Excel: BOM, header, CRLF', async (t, h) => {
  await seedCalls(h);
  const r = await get(h, `/numbers/${h.tenant.n1.number}/usage?${periodQuery}&output=csv`, 'user');
  t.is(r.statusCode, 200, r.body);
  t.regex(String(r.headers['content-type']), /^text\/csv/);
  t.regex(String(r.headers['content-disposition']), /attachment; filename="usage-call-.*\.csv"/);
  t.true(r.body.startsWith('\uFEFFstart,answer,end,caller'));
  const lines = r.body.split('\r\n');
  t.is(lines.length, 3, 'header, one call, the final line end');
  t.true(lines[1]?.startsWith('2025-11-20 12:00:00,2025-11-20 12:00:05,'));
});

dialectTest('a bulk export is started (202), listed and its file downloaded', async (t, h) => {
  await seedCalls(h);
  const cookie = await h.login('sa');
  const base = `/sites/${h.tenant.s1.code}`;
  const started = await h.request({
    method: 'GET',
    url: `${base}/usage?${periodQuery}&output=bulk`,
    cookie,
  });
  t.is(started.statusCode, 202, started.body);
  t.like(started.json(), { total: 2, export: { status: 'running' } });
  const id = await finishedExport(h, base);
  const listed = await h.request({ method: 'GET', url: `${base}/usage/exports/${id}`, cookie });
  t.like(listed.json(), {
    status: 'done',
    rowCount: 2,
    files: [{ index: 1, name: `usage-${id}-001.csv` }],
  });
  const file = await h.request({
    method: 'GET',
    url: `${base}/usage/exports/${id}/files/1`,
    cookie,
  });
  t.is(file.statusCode, 200);
  t.regex(String(file.headers['content-type']), /^text\/csv/);
  t.is(file.body.split('\r\n').length, 4, 'header, two calls, the final line end');
  const missing = await h.request({
    method: 'GET',
    url: `${base}/usage/exports/${id}/files/2`,
    cookie,
  });
  t.is(missing.statusCode, 404);
  // Another site's export is not found through this site, even by id.
  const other = await finishedExport(h, `/sites/${h.tenant.s2.code}`);
  const crossed = await h.request({
    method: 'GET',
    url: `${base}/usage/exports/${other}`,
    cookie,
  });
  t.is(crossed.statusCode, 404);
  // Kept 3 days.
  h.clock.advance(3 * 24 * 60 * 60 * 1000);
  const expired = await h.request({
    method: 'GET',
    url: `${base}/usage/exports/${id}`,
    cookie: await h.login('sa'),
  });
  t.is(expired.statusCode, 404);
});

dialectTest("the voice group's time zone decides the period's days", async (t, h) => {
  // 00:30 on 21 November in Tokyo, still 20 November in UTC.
  await seedCalls(h, '2025-11-20T15:30:00.000Z');
  const url = `/numbers/${h.tenant.n1.number}/usage?${periodQuery}`;
  t.like((await get(h, url)).json(), { rule: 'none' });
  await h.db
    .updateTable('voice_groups')
    .set({ time_zone: 'UTC' })
    .where('id', '=', h.tenant.vg1.id)
    .execute();
  const r = await get(h, url);
  t.is(r.statusCode, 200, r.body);
  t.like(r.json(), { total: 1 });
});
