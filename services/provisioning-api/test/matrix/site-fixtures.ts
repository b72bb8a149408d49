// Things on a site for the site routes' tests and matrix requests: bulk-forwarding groups,
// hunt groups with fresh numbers, finished jobs with a result file.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  findBulkForwardingGroup,
  findSiteByCode,
  finishJob,
  insertJob,
  replaceSubscriptions,
  transitionBulkForwardingGroup,
  upsertBulkForwardingGroup,
  upsertHuntGroup,
  upsertNumber,
} from '@ipvoice/db';
import { start, type Harness } from '../helpers/harness.ts';

export async function siteId(h: Harness, code: string): Promise<number> {
  const site = await findSiteByCode(h.db, code);
  if (site === undefined) throw new Error(`no site ${code}`);
  return site.id;
}

let made = 0;

/** A bulk-forwarding group on the site holding its numbers; `started` moves it there. */
export async function bulkGroupAt(
  h: Harness,
  code: string,
  options: { started?: boolean } = {},
): Promise<number> {
  made += 1;
  const id = await siteId(h, code);
  const numbers = await h.db
    .selectFrom('numbers as n')
    .innerJoin('access_lines as a', 'a.id', 'n.access_line_id')
    .select('n.id')
    .where('a.site_id', '=', id)
    .execute();
  const name = `group ${made}`;
  await upsertBulkForwardingGroup(
    h.db,
    { siteId: id, name, memberNumberIds: numbers.map((n) => n.id) },
    start,
  );
  const group = await findBulkForwardingGroup(h.db, id, name);
  if (group === undefined) throw new Error('no group');
  if (options.started === true)
    await transitionBulkForwardingGroup(h.db, group.id, ['stopped'], 'started', start);
  return group.id;
}

/** `count` fresh base numbers on the site's first access line; the first subscribes to hunt
 * groups when `pilot` is set. */
export async function freshNumbers(
  h: Harness,
  code: string,
  count: number,
  options: { pilot?: boolean } = {},
): Promise<Array<{ id: number; number: string }>> {
  const id = await siteId(h, code);
  const line = await h.db
    .selectFrom('access_lines')
    .select('id')
    .where('site_id', '=', id)
    .orderBy('id')
    .executeTakeFirstOrThrow();
  const out = [];
  for (let i = 0; i < count; i += 1) {
    made += 1;
    const number = `0990${String(made).padStart(6, '0')}`;
    const row = (await upsertNumber(h.db, { number, kind: 'base', access_line_id: line.id }, start))
      .row;
    out.push({ id: row.id, number });
  }
  const first = out[0];
  if (options.pilot === true && first !== undefined)
    await replaceSubscriptions(h.db, { numberId: first.id }, [{ feature: 'hunt_group' }], start);
  return out;
}

/** A hunt group on the site: a pilot and `members` members; answers the numbers. */
export async function huntGroupAt(
  h: Harness,
  code: string,
  members = 2,
): Promise<{ pilot: string; members: string[] }> {
  const [pilot, ...rest] = await freshNumbers(h, code, members + 1, { pilot: true });
  if (pilot === undefined) throw new Error('no pilot');
  await upsertHuntGroup(
    h.db,
    {
      pilotNumberId: pilot.id,
      mode: 'sequential',
      callerId: 'pilot',
      noAnswerSeconds: null,
      memberNumberIds: rest.map((m) => m.id),
    },
    start,
  );
  return { pilot: pilot.number, members: rest.map((m) => m.number) };
}

/** A finished job of the site with a result file. */
export async function jobAt(h: Harness, code: string): Promise<number> {
  const job = await insertJob(
    h.db,
    { kind: 'csv_download', siteId: await siteId(h, code), actor: 'ga' },
    start,
  );
  const file = `${job.id}-csv_download.csv`;
  await mkdir(join(h.dataDir, 'jobs'), { recursive: true });
  await writeFile(join(h.dataDir, 'jobs', file), '\uFEFFnumber\r\n');
  await finishJob(h.db, job.id, { status: 'done', summary: {}, resultFile: file }, start);
  return job.id;
}
