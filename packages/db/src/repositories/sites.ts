import { type Executor, type Upserted, sameValues } from '../executor.ts';
import type { Site } from '../tables/site.table.ts';
import { toTimestamp } from '../timestamp.ts';

export interface SiteInput {
  code: string;
  voice_group_id: number;
  name: string;
}

export async function findSiteByCode(db: Executor, code: string): Promise<Site | undefined> {
  return db.selectFrom('sites').selectAll().where('code', '=', code).executeTakeFirst();
}

/** Creates or updates the site named by `code` (it may move to another voice group). */
export async function upsertSite(
  db: Executor,
  input: SiteInput,
  now: Date,
): Promise<Upserted<Site>> {
  const current = await findSiteByCode(db, input.code);
  if (current === undefined) {
    const row = await db
      .insertInto('sites')
      .values({ ...input, created_at: toTimestamp(now), updated_at: toTimestamp(now) })
      .returningAll()
      .executeTakeFirstOrThrow();
    return { row, outcome: 'created' };
  }
  if (sameValues(current, input)) return { row: current, outcome: 'unchanged' };
  const row = await db
    .updateTable('sites')
    .set({ ...input, updated_at: toTimestamp(now) })
    .where('id', '=', current.id)
    .returningAll()
    .executeTakeFirstOrThrow();
  return { row, outcome: 'updated' };
}
