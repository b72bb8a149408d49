// Site routes on a real API: the forwarding CSV round trip as jobs with result files (UTF-8
// and Shift_JIS), conflicts with another account's site operation (409), bulk-forwarding
// groups and their start/stop jobs, hunt groups. SQLite and PostgreSQL.
import { claimSites, ForwardingCsvConflictError, uploadMessages } from '@ipvoice/forwarding-csv';
import {
  listSettingHistory,
  replaceSubscriptions,
  transitionBulkForwardingGroup,
  upsertForwardingSetting,
  type ForwardingSetting,
} from '@ipvoice/db';
import { settingsChangedChannel } from '@ipvoice/state';
import iconv from 'iconv-lite';
import { eachDialect, start, type Harness } from './helpers/harness.ts';
import { freshNumbers } from './matrix/site-fixtures.ts';

const dialectTest = eachDialect();
const S1 = '1000001';
const N1 = '0312345678';
const N2 = '0312345679';
const header =
  'number,forwarding,unconditional,busy,no_answer,unreachable,ring_time,target1,target2,target3,target4,target5,active_target';

interface JobBody {
  id: number;
  kind: string;
  status: string;
  summary: Record<string, unknown>;
  hasResult: boolean;
}

async function upload(h: Harness, cookie: string, body: Buffer | string) {
  return h.request({
    method: 'POST',
    url: `/sites/${S1}/forwarding.csv`,
    headers: { 'content-type': 'text/csv' },
    payload: body,
    cookie,
  });
}

async function resultOf(h: Harness, cookie: string, jobId: number): Promise<string> {
  const r = await h.request({ method: 'GET', url: `/sites/${S1}/jobs/${jobId}/result`, cookie });
  if (r.statusCode !== 200) throw new Error(`result of job ${jobId}: ${r.statusCode} ${r.body}`);
  return r.body;
}

dialectTest(
  'CSV round trip: download, edit, upload as UTF-8 and Shift_JIS; per-row results in the job file',
  async (t, h) => {
    const sa = await h.login('sa');
    const down = await h.request({ method: 'GET', url: `/sites/${S1}/forwarding.csv`, cookie: sa });
    t.is(down.statusCode, 200, down.body);
    t.regex(String(down.headers['content-type']), /^text\/csv/);
    t.true(down.rawPayload.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])), 'UTF-8 BOM');
    const lines = down.body.replace(/^\uFEFF/, '').split('\r\n');
    t.is(lines[0], header);
    t.true(lines.some((l) => l.startsWith(`${N1},off,`)));
    t.false(down.body.includes('0612345678'), 'another site’s number is not in the file');

    // Edit: N2 forwards unconditionally to slot 1; a number of another site is refused.
    const edited = [
      header,
      `${N2},on,on,off,off,off,20,03-5555-6666,,,,,1`,
      `0612345678,on,on,off,off,off,20,0355556666,,,,,1`,
      '',
    ].join('\r\n');
    const up = await upload(h, sa, Buffer.from(edited, 'utf8'));
    t.is(up.statusCode, 202, up.body);
    const job = up.json<{ job: JobBody }>().job;
    t.like(job, { kind: 'csv_upload', status: 'done', hasResult: true });
    t.like(job.summary, { applied: 1, failed: 1, encoding: 'utf-8' });
    const result = await resultOf(h, sa, job.id);
    t.true(result.includes(`2,${N2},ok`), result);
    t.true(result.includes(uploadMessages.notFound('0612345678')), result);
    const n2 = await h.request({ method: 'GET', url: `/numbers/${N2}/forwarding`, cookie: sa });
    t.like(n2.json<ForwardingSetting>(), {
      enabled: true,
      unconditional: true,
      activeTarget: 'slot1',
      slots: ['0355556666', null, null, null, null],
    });

    // Shift_JIS, as Excel on Japanese Windows saves it: the Japanese flag words read.
    const sjis = iconv.encode(
      [header, `${N1},する,する,しない,しない,しない,20,0355557777,,,,,1`, ''].join('\r\n'),
      'Shift_JIS',
    );
    const up2 = await upload(h, sa, sjis);
    t.is(up2.statusCode, 202, up2.body);
    const job2 = up2.json<{ job: JobBody }>().job;
    t.like(job2.summary, { applied: 1, failed: 0, encoding: 'shift_jis' });
    t.true((await resultOf(h, sa, job2.id)).includes(`2,${N1},ok`));
    const history = await listSettingHistory(h.db, { numberId: h.tenant.n1.id });
    t.like(history[0], { actor: 'sa', feature: 'forwarding', action: 'csv_upload' });

    // The job list: both uploads and the download, newest first, all done.
    const list = await h.request({ method: 'GET', url: `/sites/${S1}/jobs`, cookie: sa });
    t.deepEqual(
      list.json<{ jobs: JobBody[] }>().jobs.map((j) => [j.kind, j.status]),
      [
        ['csv_upload', 'done'],
        ['csv_upload', 'done'],
        ['csv_download', 'done'],
      ],
    );
    const bad = await upload(h, sa, Buffer.from('nonsense,columns\r\n', 'utf8'));
    t.is(bad.statusCode, 400, bad.body);
  },
);

dialectTest(
  'a second account’s site operation is refused (409) while the first holds the site',
  async (t, h) => {
    // The first account's upload, held by the test through the shared state store.
    const release = await claimSites(h.state, [h.tenant.s1.id], {
      operation: 'csv-upload',
      actor: 'ga',
      at: start,
      numberIdsBySite: new Map([[h.tenant.s1.id, [h.tenant.n1.id]]]),
    });
    const sa = await h.login('sa');
    try {
      const message = new ForwardingCsvConflictError('site', h.tenant.s1.id, {
        operation: 'csv-upload',
        actor: 'ga',
        startedAt: start.toISOString(),
      }).message;
      const down = await h.request({
        method: 'GET',
        url: `/sites/${S1}/forwarding.csv`,
        cookie: sa,
      });
      t.is(down.statusCode, 409, down.body);
      t.deepEqual(down.json(), { error: 'conflict', message });
      const up = await upload(h, sa, `${header}\r\n${N2},off,off,off,off,off,20,,,,,,\r\n`);
      t.is(up.statusCode, 409);
      t.is(up.json<{ message: string }>().message, message);
      const made = await h.request({
        method: 'POST',
        url: `/sites/${S1}/bulk-groups`,
        payload: { name: 'disaster', numbers: [N1] },
        cookie: sa,
      });
      t.is(made.statusCode, 201, made.body);
      const groupId = made.json<{ id: number }>().id;
      const started = await h.request({
        method: 'POST',
        url: `/bulk-groups/${groupId}/start`,
        cookie: sa,
      });
      t.is(started.statusCode, 409, started.body);
      t.is(started.json<{ message: string }>().message, message);
      // Refused operations are listed as failed jobs saying why.
      const list = await h.request({ method: 'GET', url: `/sites/${S1}/jobs`, cookie: sa });
      t.deepEqual(
        list.json<{ jobs: JobBody[] }>().jobs.map((j) => [j.kind, j.status, j.summary.error]),
        [
          ['bulk_start', 'failed', message],
          ['csv_upload', 'failed', message],
          ['csv_download', 'failed', message],
        ],
      );
    } finally {
      await release();
    }
    const again = await h.request({
      method: 'GET',
      url: `/sites/${S1}/forwarding.csv`,
      cookie: sa,
    });
    t.is(again.statusCode, 200);
  },
);

const withSlot5: ForwardingSetting = {
  enabled: false,
  unconditional: false,
  onBusy: false,
  onNoAnswer: false,
  onUnreachable: false,
  ringTimeSeconds: 20,
  activeTarget: null,
  slots: [null, null, null, null, '0355558888'],
};

dialectTest(
  'a bulk group is registered, started and stopped as jobs with result files',
  async (t, h) => {
    await upsertForwardingSetting(h.db, h.tenant.n1.id, withSlot5, start);
    const ga = await h.login('ga');
    const made = await h.request({
      method: 'POST',
      url: `/sites/${S1}/bulk-groups`,
      payload: { name: 'disaster', numbers: [N1, N2] },
      cookie: ga,
    });
    t.is(made.statusCode, 201, made.body);
    t.like(made.json(), { name: 'disaster', state: 'stopped', numbers: [N1, N2] });
    const groupId = made.json<{ id: number }>().id;
    const twice = await h.request({
      method: 'POST',
      url: `/sites/${S1}/bulk-groups`,
      payload: { name: 'disaster', numbers: [] },
      cookie: ga,
    });
    t.is(twice.statusCode, 409);
    const foreign = await h.request({
      method: 'POST',
      url: `/sites/${S1}/bulk-groups`,
      payload: { name: 'other', numbers: ['0612345678'] },
      cookie: ga,
    });
    t.is(foreign.statusCode, 400);
    t.like(foreign.json(), {
      field: 'numbers.0',
      message: '0612345678 is not a number of this site',
    });
    // SPEC §3.4: a number forwarded to a special number is left out of bulk operations.
    await replaceSubscriptions(
      h.db,
      { numberId: h.tenant.n2.id },
      [{ feature: 'special_number_forwarding', operatorNumber: '0120123456' }],
      start,
    );
    const special = await h.request({
      method: 'POST',
      url: `/sites/${S1}/bulk-groups`,
      payload: { name: 'other', numbers: [N1, N2] },
      cookie: ga,
    });
    t.is(special.statusCode, 400);
    t.like(special.json(), { field: 'numbers.1' });
    t.regex(special.json<{ message: string }>().message, /special number/);
    await replaceSubscriptions(h.db, { numberId: h.tenant.n2.id }, [], start);

    const started = await h.request({
      method: 'POST',
      url: `/bulk-groups/${groupId}/start`,
      cookie: ga,
    });
    t.is(started.statusCode, 201, started.body);
    const job = started.json<{ job: JobBody }>().job;
    t.like(job, { kind: 'bulk_start', status: 'done', hasResult: true });
    t.like(job.summary, { groupId, state: 'started', ok: 1, errors: 1 });
    const file = await resultOf(h, ga, job.id);
    t.true(file.includes(`${N1},ok`), file);
    t.true(file.includes(`${N2},error`), file);
    const again = await h.request({
      method: 'POST',
      url: `/bulk-groups/${groupId}/start`,
      cookie: ga,
    });
    t.is(again.statusCode, 409);
    t.regex(again.json<{ message: string }>().message, /is already started/);

    // Edit and delete are refused while the group is starting/stopping.
    await transitionBulkForwardingGroup(h.db, groupId, ['started'], 'stopping', start);
    const put = await h.request({
      method: 'PUT',
      url: `/bulk-groups/${groupId}`,
      payload: { name: 'renamed', numbers: [N1] },
      cookie: ga,
    });
    t.is(put.statusCode, 409, put.body);
    const del = await h.request({ method: 'DELETE', url: `/bulk-groups/${groupId}`, cookie: ga });
    t.is(del.statusCode, 409);
    await transitionBulkForwardingGroup(h.db, groupId, ['stopping'], 'started', start);

    const stopped = await h.request({
      method: 'POST',
      url: `/bulk-groups/${groupId}/stop`,
      cookie: ga,
    });
    t.is(stopped.statusCode, 201, stopped.body);
    t.like(stopped.json<{ job: JobBody }>().job.summary, { state: 'stopped', ok: 2, errors: 0 });
    const renamed = await h.request({
      method: 'PUT',
      url: `/bulk-groups/${groupId}`,
      payload: { name: 'renamed', numbers: [N1] },
      cookie: ga,
    });
    t.like(renamed.json(), { name: 'renamed', numbers: [N1], state: 'stopped' });
    const list = await h.request({ method: 'GET', url: `/sites/${S1}/bulk-groups`, cookie: ga });
    t.deepEqual(list.json(), {
      groups: [{ id: groupId, name: 'renamed', state: 'stopped', members: 1 }],
    });
    const gone = await h.request({ method: 'DELETE', url: `/bulk-groups/${groupId}`, cookie: ga });
    t.is(gone.statusCode, 204);
  },
);

dialectTest('hunt groups: create, reorder, refusals, history and change notices', async (t, h) => {
  const notices: string[] = [];
  await h.state.subscribe(settingsChangedChannel, (m) => {
    notices.push(m);
  });
  const [pilot, a, b] = await freshNumbers(h, S1, 3, { pilot: true });
  const [plain] = await freshNumbers(h, S1, 1);
  if (pilot === undefined || a === undefined || b === undefined || plain === undefined)
    throw new Error('numbers');
  const sa = await h.login('sa');
  const body = { mode: 'sequential', callerId: 'pilot', noAnswerSeconds: null };
  const create = (extra: object) =>
    h.request({
      method: 'POST',
      url: `/sites/${S1}/hunt-groups`,
      payload: { ...body, ...extra },
      cookie: sa,
    });

  const unsubscribed = await create({ pilot: plain.number, members: [a.number] });
  t.is(unsubscribed.statusCode, 400);
  t.like(unsubscribed.json(), {
    field: 'pilot',
    message: `${plain.number} has no hunt group subscription`,
  });
  const alone = await create({ pilot: pilot.number, members: [] });
  t.is(alone.statusCode, 400);
  t.is(alone.json<{ message: string }>().message, 'a hunt group needs a member besides the pilot');

  const made = await create({ pilot: pilot.number, members: [a.number, b.number] });
  t.is(made.statusCode, 201, made.body);
  t.deepEqual(made.json(), { pilot: pilot.number, ...body, members: [a.number, b.number] });
  const url = `/sites/${S1}/hunt-groups/${pilot.number}`;
  const up = await h.request({ method: 'POST', url: `${url}/members/${b.number}/up`, cookie: sa });
  t.is(up.statusCode, 200, up.body);
  t.deepEqual(up.json<{ members: string[] }>().members, [b.number, a.number]);
  const top = await h.request({ method: 'POST', url: `${url}/members/${b.number}/up`, cookie: sa });
  t.is(top.statusCode, 409);

  const reduced = await h.request({
    method: 'PUT',
    url,
    payload: { ...body, members: [] },
    cookie: sa,
  });
  t.is(reduced.statusCode, 409);
  t.is(
    reduced.json<{ message: string }>().message,
    'a hunt group needs a member besides the pilot',
  );
  const removed = await h.request({
    method: 'PUT',
    url,
    payload: { ...body, mode: 'round_robin', members: [a.number] },
    cookie: sa,
  });
  t.is(removed.statusCode, 200, removed.body);
  t.like(removed.json(), { mode: 'round_robin', members: [a.number] });
  // b left the group: its history says so, and feature servers were told.
  const bHistory = await listSettingHistory(h.db, { numberId: b.id });
  t.like(bHistory[0], {
    actor: 'sa',
    feature: 'hunt_group',
    action: 'update',
    after: { members: [a.number] },
  });
  t.true(notices.some((n) => n.split(',').includes(b.number)));

  const taken = await create({ pilot: b.number, members: [a.number] });
  t.is(taken.statusCode, 400, 'b lacks the subscription');
  const list = await h.request({ method: 'GET', url: `/sites/${S1}/hunt-groups`, cookie: sa });
  t.is(list.json<{ groups: unknown[] }>().groups.length, 1);
  const del = await h.request({ method: 'DELETE', url, cookie: sa });
  t.is(del.statusCode, 204);
  t.is((await h.request({ method: 'GET', url, cookie: sa })).statusCode, 404);
  t.like((await listSettingHistory(h.db, { numberId: pilot.id }))[0], {
    action: 'delete',
    after: null,
  });
});

dialectTest(
  'a forwarding edit of a number a CSV upload is changing is refused (409); others go through',
  async (t, h) => {
    const release = await claimSites(h.state, [h.tenant.s1.id], {
      operation: 'csv-upload',
      actor: 'ga',
      at: start,
      numberIdsBySite: new Map([[h.tenant.s1.id, [h.tenant.n1.id]]]),
    });
    try {
      const sa = await h.login('sa');
      const edit = (n: string) =>
        h.request({
          method: 'PUT',
          url: `/numbers/${n}/forwarding`,
          payload: withSlot5,
          cookie: sa,
        });
      const refused = await edit(N1);
      t.is(refused.statusCode, 409, refused.body);
      t.is(
        refused.json<{ message: string }>().message,
        `This number's forwarding is being changed by a CSV upload (started by ga at ${start.toISOString()}); try again when it has finished.`,
      );
      t.is((await edit(N2)).statusCode, 200);
    } finally {
      await release();
    }
  },
);
