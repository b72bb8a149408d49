import {
  upsertBulkForwardingGroup,
  findBulkForwardingGroup,
} from '../../src/repositories/bulk-forwarding.ts';
import { transitionBulkForwardingGroup } from '../../src/repositories/bulk-forwarding-operations.ts';
import { finishJob, findJob, insertJob, listJobs } from '../../src/repositories/jobs.ts';
import {
  deleteBulkForwardingGroup,
  findSiteNumberIds,
  listBulkForwardingGroupsOfSite,
  listSiteNumberIds,
  replaceBulkForwardingGroup,
} from '../../src/repositories/site-groups.ts';
import { eachDialect } from '../helpers/each-dialect.ts';
import { now, seedTenant } from '../helpers/tenant.ts';
import { violates } from '../helpers/violates.ts';

const dialectTest = eachDialect();
const later = new Date(now.getTime() + 1000);

dialectTest('a job runs, then finishes once with its summary and result file', async (t, db) => {
  const { site } = await seedTenant(db);
  const job = await insertJob(db, { kind: 'csv_upload', siteId: site.id, actor: 'sa' }, now);
  t.like(job, { status: 'running', summary: {}, resultFile: null, finishedAt: null });
  t.true(
    await finishJob(
      db,
      job.id,
      { status: 'done', summary: { applied: 2 }, resultFile: '1.csv' },
      later,
    ),
  );
  t.false(await finishJob(db, job.id, { status: 'failed', summary: {} }, later));
  t.like(await findJob(db, job.id), {
    status: 'done',
    summary: { applied: 2 },
    resultFile: '1.csv',
    finishedAt: later.toISOString(),
  });
  const second = await insertJob(db, { kind: 'bulk_start', siteId: site.id, actor: 'sa' }, later);
  t.deepEqual(
    (await listJobs(db, site.id)).map((j) => j.id),
    [second.id, job.id],
  );
  await violates(
    t,
    db
      .insertInto('jobs')
      .values({
        kind: 'other' as 'csv_upload',
        site_id: site.id,
        actor: 'x',
        status: 'running',
        summary: '{}',
        result_file: null,
        created_at: now.toISOString(),
        finished_at: null,
      })
      .execute(),
    'check',
    'jobs_kind',
  );
});

dialectTest('a bulk group is edited and deleted by id, never while starting', async (t, db) => {
  const { site, base, base2 } = await seedTenant(db);
  await upsertBulkForwardingGroup(
    db,
    { siteId: site.id, name: 'A', memberNumberIds: [base.id] },
    now,
  );
  const group = await findBulkForwardingGroup(db, site.id, 'A');
  if (group === undefined) throw new Error('no group');
  t.deepEqual(await listSiteNumberIds(db, site.id), [base.id, base2.id]);
  t.deepEqual(
    [...(await findSiteNumberIds(db, site.id, [base2.number, '0999999999'])).entries()],
    [[base2.number, base2.id]],
  );
  t.is(
    await replaceBulkForwardingGroup(
      db,
      group.id,
      { name: 'B', memberNumberIds: [base.id, base2.id] },
      later,
    ),
    'done',
  );
  t.like((await listBulkForwardingGroupsOfSite(db, site.id))[0], { name: 'B', memberCount: 2 });
  await transitionBulkForwardingGroup(db, group.id, ['stopped'], 'starting', later);
  t.is(
    await replaceBulkForwardingGroup(db, group.id, { name: 'C', memberNumberIds: [] }, later),
    'busy',
  );
  t.is(await deleteBulkForwardingGroup(db, group.id), 'busy');
  await transitionBulkForwardingGroup(db, group.id, ['starting'], 'started', later);
  t.is(await deleteBulkForwardingGroup(db, group.id), 'done');
  t.is(await deleteBulkForwardingGroup(db, group.id), 'missing');
});
